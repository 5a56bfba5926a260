/**
 * A large JSON body written in pieces: the same text as
 * `JSON.stringify(body, replacer)` (http-json.ts), but each top-level list
 * stringified a few hundred items at a time and written with the socket's
 * backpressure, so that a session page of tens of MB never becomes one
 * string in memory, nor a queue of them.
 */
import type { ServerResponse } from 'node:http';
import { replacer } from './http-json.ts';

/** Items stringified per write. */
const BATCH = 256;

export async function sendJsonStream(res: ServerResponse, status: number, body: object): Promise<void> {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  let gone = false;
  res.once('close', () => (gone = true));
  const write = (text: string): Promise<void> | void => {
    if (gone || res.write(text)) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
  await write('{');
  let first = true;
  for (const [key, value] of Object.entries(body)) {
    const text = Array.isArray(value) ? null : JSON.stringify(value, replacer);
    if (text === undefined) continue; // as JSON.stringify leaves out undefined and functions
    await write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (text !== null) {
      await write(text);
      continue;
    }
    const list = value as unknown[];
    await write('[');
    for (let i = 0; i < list.length && !gone; i += BATCH) {
      const part = list.slice(i, i + BATCH).map((item) => JSON.stringify(item, replacer) ?? 'null');
      await write(`${i === 0 ? '' : ','}${part.join(',')}`);
    }
    await write(']');
  }
  await write('}');
  res.end();
}
