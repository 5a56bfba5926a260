/**
 * The typed HTTP side of the live API (docs/live-api.md): status, message
 * details, operations, the built-in PACS settings. The access token of the
 * page URL (`?token=`) is passed on to every request.
 */
import type { DimseMessage } from '../../../../shared/dimse/types.ts';
import type { CaptureInfo, CaptureRequest, DoctorRequest, DoctorState, OperationRequest, ProxyRouteInfo, OperationState, PacsSettings, PduBytesInfo, ScenarioRunList, ScenarioRunRequest, ScenarioRunState, SessionInfo, SessionList, SessionSummary, StatusInfo, UploadInfo } from '../../../../shared/events/live-api.ts';

export type { SessionPageInfo } from '../../../../shared/events/live-api.ts';
export type { CaptureInfo, DoctorState, DoctorStep, OperationKind, ProxyRouteInfo, OperationRequest, OperationResult, OperationState, PacsSettings, PduBytesInfo, ScenarioRunList, ScenarioRunState, SessionInfo, SessionList, SessionSummary, StatusInfo, UploadInfo } from '../../../../shared/events/live-api.ts';

/** Where details (messages, PDU bytes) of the shown session come from: the live hub, or an opened session. */
export const LIVE_DETAILS = '/api';
export const sessionDetails = (name: string): string => `/api/sessions/${encodeURIComponent(name)}`;
/** Where page `k` of a session and its details are (docs/live-api.md, "Sessions in pages"). */
export const sessionPageDetails = (name: string, k: number): string => `${sessionDetails(name)}/pages/${k}`;
/** Where page `k` of the live session and its details are, indices counted from the page's first (docs/live-api.md, "The live window"). */
export const livePageDetails = (k: number): string => `/api/live/pages/${k}`;

export function pageToken(): string | null {
  return new URLSearchParams(globalThis.location?.search ?? '').get('token');
}

export function withToken(path: string): string {
  const token = pageToken();
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const raw = body instanceof Blob;
  const response = await fetch(withToken(path), {
    method,
    headers: body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text };
  }
  if (!response.ok) {
    const reason = data && typeof data === 'object' && 'error' in data ? String((data as { error: unknown }).error) : response.statusText;
    throw new ApiError(response.status, reason);
  }
  return data as T;
}

export const api = {
  status: () => request<StatusInfo>('GET', '/api/status'),
  message: (index: number, base = LIVE_DETAILS) => request<DimseMessage>('GET', `${base}/messages/${index}`),
  pduBytes: (index: number, base = LIVE_DETAILS) => request<PduBytesInfo>('GET', `${base}/pdus/${index}/bytes`),
  sessions: () => request<SessionList>('GET', '/api/sessions'),
  /** The session's Summary, with the teaching scenario runs its recording carries. */
  session: (name: string) => request<SessionSummary>('GET', sessionDetails(name)),
  /** Page `k` (0-based) of the session: its Summary and where it stands in the session (`page`). */
  sessionPage: (name: string, k: number) => request<SessionSummary>('GET', sessionPageDetails(name, k)),
  /** Page `k` of the live session, one before the live window, read back from the recording. */
  livePage: (k: number) => request<SessionSummary>('GET', livePageDetails(k)),
  /** One file's bytes, streamed as the body (POST /api/uploads). */
  upload: (file: File) => request<UploadInfo>('POST', `/api/uploads?name=${encodeURIComponent(file.name)}`, file),
  routes: () => request<ProxyRouteInfo[]>('GET', '/api/routes'),
  addRoute: (route: string) => request<ProxyRouteInfo>('POST', '/api/routes', { route }),
  removeRoute: (listen: string) => request<unknown>('DELETE', `/api/routes/${encodeURIComponent(listen)}`),
  captures: () => request<CaptureInfo[]>('GET', '/api/captures'),
  /** The interfaces dumpcap can capture on (`dumpcap -D`), null when it cannot say. */
  captureInterfaces: () => request<{ interfaces: string[] | null }>('GET', '/api/captures/interfaces'),
  startCapture: (body: CaptureRequest) => request<CaptureInfo>('POST', '/api/captures', body),
  stopCapture: (id: string) => request<CaptureInfo>('DELETE', `/api/captures/${encodeURIComponent(id)}`),
  startDoctor: (body: DoctorRequest) => request<{ id: string }>('POST', '/api/doctor', body),
  doctor: (id: string) => request<DoctorState>('GET', `/api/doctor/${encodeURIComponent(id)}`),
  /** Every doctor run of the server: their associations are pacscope's own probes. */
  doctors: () => request<DoctorState[]>('GET', '/api/doctor'),
  runScenario: (name: string, body: ScenarioRunRequest) => request<ScenarioRunState>('POST', `/api/scenarios/${encodeURIComponent(name)}/run`, body),
  scenarioRun: (id: string) => request<ScenarioRunState>('GET', `/api/scenarios/runs/${encodeURIComponent(id)}`),
  /** The live session's scenario runs so far (a reloaded page narrates them again). */
  scenarioRuns: () => request<ScenarioRunList>('GET', '/api/scenarios/runs'),
  /** A recording, pcap or pcapng into the sessions folder (POST /api/sessions). */
  saveSession: (file: File) => request<SessionInfo>('POST', `/api/sessions?name=${encodeURIComponent(file.name)}`, file),
  startOperation: (op: OperationRequest) => request<{ id: string }>('POST', '/api/operations', op),
  operation: (id: string) => request<OperationState>('GET', `/api/operations/${encodeURIComponent(id)}`),
  cancelOperation: (id: string) => request<unknown>('POST', `/api/operations/${encodeURIComponent(id)}/cancel`),
  pacs: () => request<PacsSettings>('GET', '/api/pacs'),
  updatePacs: (settings: Partial<Pick<PacsSettings, 'moveMode' | 'aePolicy' | 'destinations'>>) => request<PacsSettings>('PUT', '/api/pacs', settings),
};
