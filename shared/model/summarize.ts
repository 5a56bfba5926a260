/**
 * Wire events → derived events → summary, in one pass: the whole offline
 * pipeline (the live hub runs the same two objects incrementally). Takes
 * batches of wire events, as sources read them, to keep awaits off the
 * per-event path.
 */
import type { WireEvent } from '../capture/wire-event.ts';
import type { Summary } from './summary-types.ts';
import { SessionDecoder } from './session-decoder.ts';
import { SummaryBuilder, type SummarySource } from './summary-builder.ts';
import type { ConnectionDecoderOptions } from './connection-decoder.ts';

export async function summarize(
  batches: AsyncIterable<WireEvent[]> | Iterable<WireEvent[]>,
  source: SummarySource,
  options: ConnectionDecoderOptions = {},
): Promise<Summary> {
  const decoder = new SessionDecoder(options);
  const builder = new SummaryBuilder(source);
  for await (const batch of batches) {
    for (const event of batch) {
      for (const derived of decoder.push(event)) builder.apply(derived);
    }
  }
  for (const derived of decoder.finish()) builder.apply(derived);
  return builder.result();
}
