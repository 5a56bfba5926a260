/** Parses "HOST:PORT", "[v6]:PORT" or ":PORT" (host 127.0.0.1). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!m) throw new Error(`expected HOST:PORT, got "${text}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range in "${text}"`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
