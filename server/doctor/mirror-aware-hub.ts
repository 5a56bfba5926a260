/**
 * The capture hub as the doctor hands it to the SCU operations, with one
 * thing added: `associationOf(conn)` also answers for a connection the hub
 * dropped as a mirror. When the peer runs in this process too (the built-in
 * PACS of `pacscope serve`), both ends of a TCP connection are tapped and the
 * hub keeps only the end that opened first (hub.ts, `isMirror`); if that was
 * the PACS's end, the SCU's connection number has no association of its own.
 * Its 4-tuple is the owner's, so the association is found by the tuple its
 * `open` event carried.
 *
 * Everything else is the hub itself (a Proxy: methods bound to it, state
 * untouched).
 */
import type { CaptureHub } from '../capture/hub.ts';
import type { Endpoint, WireEvent } from '../../shared/capture/wire-event.ts';

const bare = (host: string) => host.replace(/^::ffff:/, '');
const same = (a: Endpoint, b: { host: string; port: number }) => a.port === b.port && bare(a.host) === bare(b.host);

export function mirrorAwareHub(hub: CaptureHub): CaptureHub {
  const tuples = new Map<number, { requestor: Endpoint; acceptor: Endpoint }>();
  const sink = (event: WireEvent): void => {
    if (event.kind === 'open') tuples.set(event.conn, { requestor: event.requestor, acceptor: event.acceptor });
    hub.sink(event);
  };
  const associationOf = (conn: number): string | null => {
    const own = hub.associationOf(conn);
    if (own !== null) return own;
    const t = tuples.get(conn);
    if (!t) return null;
    // The latest association on this 4-tuple (a port may be reused later, never while the connection is open).
    const match = hub
      .summary()
      .associations.filter((a) => same(t.requestor, a.requestor) && same(t.acceptor, a.acceptor))
      .at(-1);
    return match?.id ?? null;
  };
  return new Proxy(hub, {
    get(target, prop) {
      if (prop === 'sink') return sink;
      if (prop === 'associationOf') return associationOf;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
