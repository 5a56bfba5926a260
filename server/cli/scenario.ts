/**
 * `pacscope scenario [NAME] [--delay MS] [--record FILE] [--json]`: runs a
 * teaching scenario (shared/scenarios/catalogue.ts) headless on built-in
 * actors on 127.0.0.1 and prints its narration step by step beside the
 * messages it points at, then the session's timeline. Without NAME, lists
 * the scenarios.
 */
import { parseArgs, type OptionSpec } from './args.ts';
import { formatUsage, type CliCommand, type CommandHelp } from './command-help.ts';
import { formatFindings, formatSummary } from '../../shared/view/summary-text.ts';
import { diagnose } from '../../shared/diagnosis/diagnose.ts';
import dimse from '../dimse/library.ts';
import { CaptureHub } from '../capture/hub.ts';
import { runScenario } from '../scenarios/run-scenario.ts';
import { SCENARIOS } from '../../shared/scenarios/catalogue.ts';
import { narrate, type NarratedStep } from '../../shared/scenarios/narrate.ts';
import { scenarioRunRecord } from '../../shared/scenarios/run-record.ts';
import { scenarioRunMetadata } from '../../shared/events/scenario-runs.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../../shared/dimse/message-words.ts';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'delay', value: 'MS', help: 'pause before each C-MOVE/C-GET sub-operation, in milliseconds (default 0)' },
  { name: 'record', value: 'FILE', help: "record the scenario's traffic and its narration (pacscope open FILE replays it, narrated) (default: not recorded)" },
  { name: 'json', help: 'print {scenario, associations, narration, findings, summary} as JSON instead of text' },
];

function listing(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return `${SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.title}${s.misconfigured ? ' (misconfigured on purpose)' : ''}\n  ${' '.repeat(width)}  ${s.summary}`).join('\n')}\n`;
}

export const SCENARIO_HELP: CommandHelp = {
  name: 'scenario',
  synopsis: ['[NAME] [--delay MS] [--record FILE] [--json]'],
  description: `Runs a teaching scenario on built-in actors on 127.0.0.1 and explains it step
by step beside the messages, then prints the session's timeline. Without
NAME, lists the scenarios.`,
  options: OPTIONS,
  epilogue: `scenarios:\n${listing()}`,
};

export const SCENARIO_COMMAND: CliCommand = { help: SCENARIO_HELP, run: scenarioCommand };

function pointsAt(step: NarratedStep, summary: Summary): string {
  const t = step.target;
  if (!t) return '(not seen)';
  if (t.kind === 'association') {
    const a = summary.associations.find((x) => x.id === t.id)!;
    return `${a.id} ${a.requestor.ae ?? `${a.requestor.host}:${a.requestor.port}`} → ${a.acceptor.ae ?? `${a.acceptor.host}:${a.acceptor.port}`} ${a.outcome}${a.reject ? ` (${a.reject.text})` : a.closeReason ? ` (${a.closeReason})` : ''}`;
  }
  const m = summary.messages[t.index];
  const status = m.status !== null ? ` ${statusCodeOf(m)} ${statusMeaningOf(m) ?? ''}`.trimEnd() : '';
  return `${m.association} ${commandOf(m)}${status} ${m.from ?? '?'} → ${m.to ?? '?'}`;
}

export async function scenarioCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.positionals.length === 0) {
    process.stdout.write(`Teaching scenarios (pacscope scenario NAME):\n${listing()}`);
    return 0;
  }
  if (args.positionals.length > 1) throw new Error(`one scenario at a time\n\n${formatUsage(SCENARIO_HELP)}`);
  const name = args.positionals[0];
  if (!SCENARIOS.some((s) => s.name === name)) throw new Error(`no scenario "${name}"; there are:\n${listing()}`);
  const delay = Number(args.values.get('delay')?.at(-1) ?? 0);
  if (!Number.isInteger(delay) || delay < 0 || delay > 60_000) throw new Error(`--delay: milliseconds from 0 to 60000, got ${args.values.get('delay')?.at(-1)}`);
  dimse.log.setLevel('silent');

  const record = args.values.get('record')?.at(-1);
  const hub = await CaptureHub.open({ recordPath: record, source: { kind: 'scenario', description: `pacscope scenario ${name}` } });
  const startTime = Date.now();
  const run = await runScenario(name, hub, { subOperationDelayMs: delay });
  // The run and its narration go into the recording too: `pacscope open FILE` narrates it again.
  hub.recordMetadata(scenarioRunMetadata(scenarioRunRecord({ id: 's1', scenario: run.scenario, startTime, endTime: Date.now(), associations: run.associations, error: run.error }, hub.summary())));
  await hub.close();
  if (run.error) throw new Error(`the scenario could not run: ${run.error}`);
  const summary = hub.summary();
  const narration = narrate(summary, run.scenario, new Set(run.associations));
  const findings = diagnose(summary);
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify({ scenario: run.scenario.name, associations: run.associations, narration, findings, summary }, null, 2)}\n`);
    return 0;
  }
  const out = [`Scenario ${run.scenario.name} — ${run.scenario.title}`, run.scenario.summary, ''];
  for (const step of narration) {
    out.push(`${String(step.number).padStart(2)}. ${step.time === null ? '      ' : `${step.time.toFixed(3)} s`}  ${pointsAt(step, summary)}`);
    out.push(`    ${step.text}  (${step.section})`);
  }
  out.push('', (formatSummary(summary, { pdus: false }) + formatFindings(findings, summary)).trimEnd());
  if (record) out.push('', `recorded to ${record} (pacscope open ${record} replays it)`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
