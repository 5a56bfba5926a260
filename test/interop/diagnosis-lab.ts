/**
 * Helpers of the diagnosis-*.test.ts interop tests: run a flow of real tools
 * under a dumpcap capture and read the findings the way a user does
 * (`pacscope summary FILE --json`, whose `findings[]` come from
 * shared/diagnosis/), or diagnose a CaptureHub's live model; describe
 * findings for assertion messages; a C-GET without SCP/SCU Role Selection
 * (no DCMTK tool sends one: getscu always proposes the SCP role).
 */
import { join } from 'node:path';
import dimse from '../../server/dimse/library.ts';
import type { CaptureHub } from '../../server/capture/hub.ts';
import { prepareQuery } from '../../server/endpoints/scu/query.ts';
import { runSingleRequest } from '../../server/endpoints/scu/single-request.ts';
import type { QueryTarget } from '../../server/endpoints/scu/options.ts';
import type { DiagnoseOptions, Finding } from '../../shared/diagnosis/types.ts';
import { DiagnosisContext } from '../../shared/diagnosis/context.ts';
import type { ProductId } from '../../shared/diagnosis/products.ts';
import type { Summary } from '../../shared/model/summary-types.ts';
import { Capture } from './harness/capture.ts';
import { REPO_ROOT } from './harness/pacscope-cli.ts';
import { runTool, type ToolResult } from './harness/process.ts';

const BIN = join(REPO_ROOT, 'bin', 'pacscope.js');

export interface Diagnosed {
  summary: Summary;
  findings: Finding[];
  /** Tool results of the flow, in order. */
  tools: ToolResult[];
  file: string;
}

/** `pacscope summary FILE --json`: the model and its findings, as printed. */
export async function summaryWithFindings(file: string): Promise<{ summary: Summary; findings: Finding[] }> {
  const res = await runTool(process.execPath, [BIN, 'summary', file, '--json'], { cwd: REPO_ROOT, timeoutMs: 60_000, encoding: 'utf8' });
  if (res.code !== 0) throw new Error(`${res.command} exited ${res.code}:\n${res.output.slice(0, 3000)}`);
  const json = JSON.parse(res.output.slice(res.output.indexOf('{'))) as Summary & { findings?: Finding[] };
  if (!Array.isArray(json.findings)) throw new Error(`${res.command}: no findings[] in the JSON`);
  return { summary: json, findings: json.findings };
}

/** Runs tools one after the other under a capture of `ports`, then `settle`; returns the decoded capture and its findings. */
export async function capturedFlow(file: string, ports: number[], steps: [cmd: string, args: string[]][], settle: () => Promise<void> = async () => undefined): Promise<Diagnosed> {
  const cap = await Capture.start(file, ports);
  const tools: ToolResult[] = [];
  try {
    for (const [cmd, args] of steps) tools.push(await runTool(cmd, args, { timeoutMs: 30_000 }));
    await settle();
  } finally {
    await cap.stop(200).catch(() => undefined);
  }
  const result = { ...(await summaryWithFindings(cap.file)), tools, file: cap.file };
  // Every flow of the diagnosis suite: fixes with the real values, no placeholder, no product but the one identified.
  const bad = fixProblems(result.summary, result.findings);
  if (bad.length) throw new Error(`fix texts of ${file}:\n${bad.join('\n')}`);
  return result;
}

/** Findings in one line each, for assertion messages. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.length ? findings.map((f) => `${f.severity} ${f.rule}: ${f.title} [${f.evidence.associations.join(',')}; msgs ${f.evidence.messages.join(',')}]\n    ${f.text}`).join('\n') : '(no findings)';
}

/** The error and warning findings (a clean session has none). */
export const problems = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.severity !== 'info');

export const rulesOf = (findings: readonly Finding[]): string[] => findings.map((f) => f.rule);

/** The one finding of `rule`, or an error naming all findings. */
export function only(findings: readonly Finding[], rule: string): Finding {
  const hits = findings.filter((f) => f.rule === rule);
  if (hits.length !== 1) throw new Error(`expected one ${rule}, got ${hits.length}:\n${describeFindings(findings)}`);
  return hits[0];
}

/**
 * A C-GET whose storage contexts carry no SCP/SCU Role Selection item
 * (PS3.7 D.3.3.4): the classic mistake; the SCP may not send the instances.
 */
export async function getWithoutRole(target: QueryTarget, hub: CaptureHub, storageSopClasses: string[]): Promise<void> {
  const request = new dimse.requests.CGetRequest();
  request.setAddStorageSopClassesToAssociation(false);
  const bad = prepareQuery(request, target, 'get');
  if (bad) throw new Error(bad.reason);
  await runSingleRequest(target, request, hub, { encodeDataSet: true, extraContexts: storageSopClasses.map((abstractSyntax) => ({ abstractSyntax })), onStore: async () => 0x0000 });
}

/** How a fix names each product (its settings are prefixed with the name; free-text mentions too). */
const PRODUCT_MENTIONS: Readonly<Record<ProductId, RegExp>> = {
  orthanc: /Orthanc|orthanc\.json/,
  dcmqrscp: /dcmqrscp/,
  storescp: /DCMTK storescp|\bstorescp [-+]/,
  dcmtk: /DCMTK tools|\b(movescu|getscu|findscu|echoscu|storescu)\b/,
  pacscope: /pacscope/,
  pixelmed: /PixelMed/,
};

/** Placeholders a fix must not hold where the capture knows the value (docs/architecture.md §10). */
const PLACEHOLDERS: readonly RegExp[] = [/\b(HOST|PORT|DEST|SECONDS|PROFILE|FILE)\b/, /\{=?[A-Z]+\}/, /<[^>]*>/, /\bAE@|=UID\b|\bAE=/];

/** Rules about pacscope itself: they name it as the tool to report a bug to. */
const ABOUT_PACSCOPE = new Set(['decoder.internal-error', 'diagnosis.internal-error']);

/**
 * What is wrong with the fixes of `findings`: a placeholder, or a product
 * named that is not one identified for the associations the finding is about
 * (their two sides, their C-MOVE's or sub-associations', the move
 * destination). [] when all is well.
 */
export function fixProblems(summary: Summary, findings: readonly Finding[], options: DiagnoseOptions = {}): string[] {
  const ctx = new DiagnosisContext(summary, options);
  const out: string[] = [];
  for (const f of findings) {
    for (const p of PLACEHOLDERS) if (p.test(f.fix)) out.push(`${f.rule}: placeholder ${p} in fix: ${f.fix}`);
    if (ABOUT_PACSCOPE.has(f.rule)) continue;
    const allowed = new Set<ProductId>();
    const ids = new Set(f.evidence.associations);
    for (const id of [...ids]) {
      const move = ctx.moveOf.get(id);
      if (move) ids.add(move.association.id);
      for (const r of ctx.retrieves) if (r.association.id === id) for (const s of r.subs) ids.add(s.id);
    }
    for (const id of ids) {
      const a = ctx.associations.get(id);
      if (!a) continue;
      for (const side of ['requestor', 'acceptor'] as const) {
        const p = ctx.productOf(a, side);
        if (p) allowed.add(p);
      }
    }
    for (const i of f.evidence.messages) {
      const p = ctx.products.productOfAe(summary.messages[i]?.moveDestination ?? null);
      if (p) allowed.add(p);
    }
    for (const [product, mention] of Object.entries(PRODUCT_MENTIONS) as [ProductId, RegExp][]) {
      if (!allowed.has(product) && mention.test(f.fix)) out.push(`${f.rule}: names ${product}, identified: ${[...allowed].join(', ') || 'none'}: ${f.fix}`);
    }
  }
  return out;
}
