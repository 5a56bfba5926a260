/**
 * dcmjs-dimse, loaded the one way that works: it is a UMD bundle, so named
 * ESM imports type-check but fail at run time (docs/architecture.md, "Known traps").
 * This adapter (server/dimse/) is the only place that imports it: every other
 * file takes the library and its type names from here, and reaches its
 * internals only through client-network.ts, scp.ts and requests.ts
 * (test/unit/dimse/adapter-boundary.test.ts checks it).
 */
import dimse from 'dcmjs-dimse';
import type { association, requests, responses } from 'dcmjs-dimse';

export default dimse;
export type * from 'dcmjs-dimse';

/** Type names of the library's namespaced classes. */
export type Association = association.Association;
export type PresentationContext = association.PresentationContext;
export type Request = requests.Request;
export type CEchoRequest = requests.CEchoRequest;
export type CFindRequest = requests.CFindRequest;
export type CMoveRequest = requests.CMoveRequest;
export type CGetRequest = requests.CGetRequest;
export type CStoreRequest = requests.CStoreRequest;
export type CCancelRequest = requests.CCancelRequest;
export type NActionRequest = requests.NActionRequest;
export type NEventReportRequest = requests.NEventReportRequest;
export type NCreateRequest = requests.NCreateRequest;
export type NSetRequest = requests.NSetRequest;
export type CEchoResponse = responses.CEchoResponse;
export type CFindResponse = responses.CFindResponse;
export type CMoveResponse = responses.CMoveResponse;
export type CGetResponse = responses.CGetResponse;
export type CStoreResponse = responses.CStoreResponse;
export type NActionResponse = responses.NActionResponse;
export type NEventReportResponse = responses.NEventReportResponse;
export type NCreateResponse = responses.NCreateResponse;
export type NSetResponse = responses.NSetResponse;
