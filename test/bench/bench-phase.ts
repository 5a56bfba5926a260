/**
 * One phase of the benchmark, run in its own process so that its peak memory
 * (max RSS) is its own. Prints one JSON line.
 *   raw FILE     read the file in the same chunks as the decoder does, touching every page
 *   decode FILE  the whole `pacscope summary` pipeline: source → SessionDecoder → SummaryBuilder
 */
import { fileChunks, DEFAULT_CHUNK_BYTES } from '../../server/sources/file-chunks.ts';
import { openWireSource } from '../../server/sources/open-source.ts';
import { summarize } from '../../shared/model/summarize.ts';

const [phase, path] = process.argv.slice(2);
const start = performance.now();
let bytes = 0;
let extra: Record<string, unknown> = {};
if (phase === 'raw') {
  let sum = 0;
  for await (const chunk of fileChunks(path, DEFAULT_CHUNK_BYTES)) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i += 4096) sum += chunk[i];
  }
  extra = { checksum: sum };
} else if (phase === 'decode') {
  const source = await openWireSource(path);
  const summary = await summarize(source.batches(), { path, format: source.format });
  const { statSync } = await import('node:fs');
  bytes = statSync(path).size;
  extra = {
    associations: summary.associations.length,
    messages: summary.messages.length,
    errors: summary.errors.length + source.errors.length,
    firstError: summary.errors[0]?.reason ?? source.errors[0]?.reason ?? null,
  };
} else {
  throw new Error(`unknown phase ${phase}`);
}
const seconds = (performance.now() - start) / 1000;
process.stdout.write(JSON.stringify({ phase, bytes, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, ...extra }) + '\n');
