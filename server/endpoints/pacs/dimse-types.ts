/** Type names of dcmjs-dimse's namespaced classes (types only; the values come from ../dimse.ts). */
import type { association, requests, responses } from 'dcmjs-dimse';

export type { Dataset, Scp } from 'dcmjs-dimse';
export type Association = association.Association;
export type PresentationContext = association.PresentationContext;
export type Request = requests.Request;
export type CEchoRequest = requests.CEchoRequest;
export type CFindRequest = requests.CFindRequest;
export type CMoveRequest = requests.CMoveRequest;
export type CGetRequest = requests.CGetRequest;
export type CStoreRequest = requests.CStoreRequest;
export type CCancelRequest = requests.CCancelRequest;
export type CEchoResponse = responses.CEchoResponse;
export type CFindResponse = responses.CFindResponse;
export type CMoveResponse = responses.CMoveResponse;
export type CGetResponse = responses.CGetResponse;
export type CStoreResponse = responses.CStoreResponse;
