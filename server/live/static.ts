/**
 * The built UI (web/dist, made by `vite build`) as static files: GET and HEAD
 * only, paths confined to the folder, unknown non-asset paths answered with
 * index.html (the UI routes itself), a clear page when the UI is not built.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Headers every UI response carries: no framing by other sites, no inline scripts from data. */
export const UI_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
};

async function fileAt(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** Serves `pathname` from `root`; returns false when the method is not GET/HEAD (the caller answers). */
export async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '\0';
  }
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, rel === '' || rel === '.' ? 'index.html' : rel);
  if (decoded.includes('\0') || (file !== root && !file.startsWith(root + sep))) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('bad path\n');
    return true;
  }
  let size = await fileAt(file);
  if (size === null && extname(rel) === '') {
    file = join(root, 'index.html');
    size = await fileAt(file);
  }
  if (size === null) {
    const index = await fileAt(join(root, 'index.html'));
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(index === null ? 'The browser UI is not built: run `node scripts/build-web.mjs` (npm start does it).\n' : 'not found\n');
    return true;
  }
  const isIndex = file.endsWith(`${sep}index.html`);
  res.writeHead(200, {
    ...UI_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(size),
    // Vite names assets by content hash; the page itself must always be fresh.
    'cache-control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
  return true;
}
