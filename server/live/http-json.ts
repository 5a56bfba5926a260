/** JSON in and out of the live HTTP API: bodies bounded and checked, errors as `{error}` with a 4xx status. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY = 256 * 1024;

/** An error the client caused: answered with its status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** ArrayBuffers and typed arrays (bulk values of a data set) as a short note instead of their bytes. */
export function replacer(_key: string, value: unknown): unknown {
  if (value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, replacer);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** The request's JSON body as an object; HttpError 400/413/415 otherwise. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'expected Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `body is not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new HttpError(400, 'body must be a JSON object');
  return json as Record<string, unknown>;
}

/** A string field of a body, checked; undefined when absent and not required. */
export function stringField(body: Record<string, unknown>, key: string, required: true): string;
export function stringField(body: Record<string, unknown>, key: string, required?: false): string | undefined;
export function stringField(body: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new HttpError(400, `"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new HttpError(400, `"${key}" must be a string`);
  return v;
}
