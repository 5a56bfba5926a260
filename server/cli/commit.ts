/**
 * `pacscope commit [options] HOST PORT [FILE|DIR]…`: storage commitment
 * (PS3.4 J.3, Push Model) of the instances of files and folders, or of
 * `--instance CLASS:INSTANCE` pairs: an N-ACTION-RQ, then the
 * N-EVENT-REPORT-RQ with the result, on the same association (kept open up
 * to --report-timeout) or, with --port, on a new association the SCP opens
 * to our own port. One line per committed and per failed instance (with its
 * Failure Reason), then the result line; the exit code is 0 only when every
 * instance was committed.
 */
import { requestCommitment } from '../endpoints/scu/commit.ts';
import { instancesFromFiles, parseInstancePair, type ReferencedInstance } from '../endpoints/scu/commit-instances.ts';
import { failureReasonText, EVENT_TYPES } from '../../shared/dimse/storage-commitment.ts';
import { formatStatus } from '../../shared/dimse/status.ts';
import { finish, out, runScuCommand, scuHelp, UsageError, type ScuCommandSpec } from './scu-common.ts';
import type { CliCommand } from './command-help.ts';

const SPEC: ScuCommandSpec = {
  name: 'commit',
  synopsis: '[--aet AE] [--aec AE] [--port N [--bind HOST]] [--report-timeout S] [--instance CLASS:INSTANCE]… [options] HOST PORT [FILE|DIR]…',
  description: `Storage commitment (PS3.4 J.3, Storage Commitment Push Model SOP Class
1.2.840.10008.1.20.1) of the instances of DICOM files and folders (their SOP
Class and Instance UIDs, read from the File Meta Information) and of
--instance pairs: an N-ACTION-RQ "Request Storage Commitment" with a new
Transaction UID, then the SCP's N-EVENT-REPORT-RQ (Event Type 1: all
committed; 2: failures exist, each with its Failure Reason).

Without --port the association stays open after the N-ACTION-RSP until the
report came or --report-timeout passed. With --port the SCU releases at once,
as modalities do, and listens there for the association the SCP opens back
(it must know our AE title at that host and port: Orthanc's DicomModalities,
pacscope serve --dest AE=HOST:PORT); it accepts the SCP role proposed for the
Push Model (PS3.4 J.3.3.1.3, PS3.7 D.3.3.4).

The exit code is 0 when every instance was committed, 6 when failures exist,
5 when no report came in time; the others as for every SCU command.`,
  options: [
    { name: 'instance', value: 'CLASS:INSTANCE', help: 'a SOP Class UID and SOP Instance UID to commit (repeatable), besides FILE|DIR' },
    { name: 'transaction', value: 'UID', help: 'the Transaction UID (0008,1195) (default: a new 2.25 UID)' },
    { name: 'report-timeout', value: 'S', help: 'how long to wait for the N-EVENT-REPORT after the N-ACTION-RSP, in seconds (default 30)' },
    { name: 'port', value: 'N', aliases: ['--listen'], help: 'listen on this port for the report on a new association (default: only on the N-ACTION\'s association)' },
    { name: 'bind', value: 'HOST', help: 'the address --port listens on (default 127.0.0.1)' },
    { name: 'listen-aet', value: 'AE', help: 'the AE title --port answers to (default: --aet); a called AE title other than this is rejected (1/1/7)' },
    { name: 'accept-aet', value: 'AE', help: 'with --port, accept associations only from this calling AE title (repeatable; others get 1/1/3) (default: any)' },
    { name: 'keep-open', help: 'with --port, keep the N-ACTION\'s association open too until the report came (default: release at once)' },
    { name: 'refuse-scp-role', help: 'with --port, answer the SCP role the SCP proposes with 0 (a misconfigured SCU, to see what it does)' },
  ],
};

export const COMMIT_COMMAND: CliCommand = { help: scuHelp(SPEC), run: commitCommand };

const last = (values: Map<string, string[]>, name: string): string | undefined => values.get(name)?.at(-1);

function integer(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${option}: expected an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

export function commitCommand(argv: string[]): Promise<number> {
  return runScuCommand(argv, SPEC, async (line, hub) => {
    const { values, flags } = line.args;
    const instances: ReferencedInstance[] = [];
    for (const text of values.get('instance') ?? []) {
      const pair = parseInstancePair(text);
      if (typeof pair === 'string') throw new UsageError(`--instance: ${pair}`);
      instances.push(pair);
    }
    const fromFiles = await instancesFromFiles(line.rest);
    for (const s of fromFiles.skipped) out(`skipped ${s.file}: ${s.reason}`);
    instances.push(...fromFiles.instances);
    if (instances.length === 0) throw new UsageError('nothing to commit: give FILE|DIR or --instance CLASS:INSTANCE');
    const portText = last(values, 'port');
    const timeout = last(values, 'report-timeout');
    const result = await requestCommitment(
      {
        ...line.target,
        instances,
        transactionUid: last(values, 'transaction'),
        reportTimeoutMs: timeout === undefined ? undefined : integer(timeout, '--report-timeout', 1, 86_400) * 1000,
        listen:
          portText === undefined
            ? undefined
            : {
                host: last(values, 'bind') ?? '127.0.0.1',
                port: integer(portText, '--port', 0, 65535),
                ae: last(values, 'listen-aet'),
                knownCallers: values.get('accept-aet'),
                refuseScpRole: flags.has('refuse-scp-role'),
              },
        keepOpen: flags.has('keep-open'),
      },
      hub,
      { onActionResponse: (status) => out(`N-ACTION-RSP ${formatStatus(status)}`) },
    );
    out(`transaction ${result.transactionUid}${result.listenPort !== null ? ` (listening on port ${result.listenPort})` : ''}`);
    const r = result.report;
    if (r) {
      out(`N-EVENT-REPORT-RQ event type ${r.eventTypeId} (${EVENT_TYPES.get(r.eventTypeId)}) on ${r.via === 'same' ? 'the same association' : `a new association from ${r.from}`}`);
      for (const i of r.facts.referenced) out(`committed ${i.sopClass ?? '?'} ${i.sopInstance ?? '?'}`);
      for (const i of r.facts.failed) out(`failed ${i.sopClass ?? '?'} ${i.sopInstance ?? '?'}: ${failureReasonText(i.failureReason)}`);
    }
    const summary = r ? `${r.facts.referenced.length} committed, ${r.facts.failed.length} failed` : 'no report';
    return finish('commit', result, summary);
  });
}
