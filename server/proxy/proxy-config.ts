/**
 * Settings of `pacscope proxy`: flags > config file (JSON) > defaults, and
 * the small parsers for sizes ("100MB") and durations ("1h").
 *
 * Config file, every key optional:
 *   {
 *     "routes": ["127.0.0.1:4243=127.0.0.1:4242", {"listen": ":4244", "upstream": "127.0.0.1:104"}],
 *     "record": "proxy.pacscope",            one file
 *     "recordDir": "captures/",              or a series of files
 *     "rotateSize": "100MB", "rotateTime": "1h",
 *     "connectTimeout": 10                   seconds
 *   }
 * Routes of the file and of --route are all used.
 */
import { readJsonConfig } from '../config-file.ts';
import { toRouteSpec, type RouteSpec } from './route-spec.ts';

export interface ProxySettings {
  routes: RouteSpec[];
  record: string | null;
  recordDir: string | null;
  rotateBytes: number | null;
  rotateMs: number | null;
  connectTimeoutMs: number;
}

export interface ProxyFlags {
  route?: string[];
  config?: string;
  record?: string;
  recordDir?: string;
  rotateSize?: string;
  rotateTime?: string;
  connectTimeout?: string;
}

const FILE_KEYS = ['routes', 'record', 'recordDir', 'rotateSize', 'rotateTime', 'connectTimeout'];
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };
const DURATIONS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** "100MB", "512KiB", "1g", "1048576" → bytes (at least 64 KiB: smaller files would be mostly headers). */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`${what}: expected a size such as 100MB, 1GiB or 500k, got "${text}"`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 64 * 1024) throw new Error(`${what}: at least 64KiB, got "${text}"`);
  return bytes;
}

/** "1h", "30m", "90s", "500ms" (a bare number is seconds) → ms. */
export function parseDuration(text: string, what: string, min = 1000): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? (m[2] === '' ? 1000 : DURATIONS[m[2].toLowerCase()]) : undefined;
  if (!m || unit === undefined) throw new Error(`${what}: expected a duration such as 1h, 30m, 90s or 500ms, got "${text}"`);
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < min) throw new Error(`${what}: at least ${min} ms, got "${text}"`);
  return ms;
}

function readConfig(path: string): Record<string, unknown> {
  const json = readJsonConfig(path);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`config file ${path}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FILE_KEYS.includes(k)) throw new Error(`config file ${path}: unknown setting "${k}" (known: ${FILE_KEYS.join(', ')})`);
  return o;
}

function str(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && (key === 'connectTimeout' || key === 'rotateSize')) return String(v);
  if (typeof v !== 'string') throw new Error(`${where}: "${key}" must be a string`);
  return v;
}

export function resolveProxySettings(flags: ProxyFlags): ProxySettings {
  const where = `config file ${flags.config}`;
  const file = flags.config ? readConfig(flags.config) : {};
  const fileRoutes = file.routes;
  if (fileRoutes !== undefined && !Array.isArray(fileRoutes)) throw new Error(`${where}: "routes" must be a list`);
  const routes = [...((fileRoutes as unknown[] | undefined) ?? []).map((r, i) => toRouteSpec(r, `${where}, route ${i + 1}`)), ...(flags.route ?? []).map((r) => toRouteSpec(r, '--route'))];
  const record = flags.record ?? str(file, 'record', where) ?? null;
  const recordDir = flags.recordDir ?? str(file, 'recordDir', where) ?? null;
  const rotateSize = flags.rotateSize ?? str(file, 'rotateSize', where);
  const rotateTime = flags.rotateTime ?? str(file, 'rotateTime', where);
  const timeout = flags.connectTimeout ?? str(file, 'connectTimeout', where);
  if (record && recordDir) throw new Error('--record FILE and --record-dir DIR exclude each other (one file, or a series of files in DIR)');
  if ((rotateSize || rotateTime) && !recordDir) throw new Error('--rotate-size and --rotate-time need --record-dir DIR (rotated files go there)');
  return {
    routes,
    record,
    recordDir,
    rotateBytes: rotateSize ? parseSize(rotateSize, '--rotate-size') : null,
    rotateMs: rotateTime ? parseDuration(rotateTime, '--rotate-time') : null,
    connectTimeoutMs: timeout ? parseDuration(timeout, '--connect-timeout', 100) : 10_000,
  };
}
