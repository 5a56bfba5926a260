/**
 * The fallback: every failure or warning status (PS3.7 Annex C; PS3.4 B.2.3,
 * C.4.x) that no more specific rule has explained, grouped per association,
 * command and status so that a thousand failed C-STOREs make one finding.
 * Runs last (registry.ts).
 */
import type { DiagnosisContext } from './context.ts';
import { serviceOfCommand } from './context.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { messageLabel, q, statusText } from './format.ts';
import { where } from './peer-settings.ts';
import { statusCode, statusHint } from './status-hints.ts';

interface Group {
  association: string;
  command: string;
  status: string;
  category: string;
  responses: number[];
  requests: number[];
}

function run(ctx: DiagnosisContext, out: Finding[]): void {
  const groups = new Map<string, Group>();
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    if (ctx.kind[i] !== 2) continue;
    const m = messages[i];
    if ((m.statusCategory !== 'failure' && m.statusCategory !== 'warning' && m.statusCategory !== 'unknown')) continue;
    const rq = ctx.requestOf[i];
    if (ctx.claimedMessages.has(i) || (rq >= 0 && ctx.claimedMessages.has(rq))) continue;
    const key = `${m.association}|${m.command}|${m.status}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { association: m.association, command: m.command, status: m.status ?? '?', category: m.statusCategory, responses: [], requests: [] }));
    g.responses.push(i);
    if (rq >= 0) g.requests.push(rq);
  }
  for (const g of groups.values()) {
    const first = messages[g.responses[0]];
    const code = statusCode(g.status);
    const service = serviceOfCommand(g.command);
    const hint = code === null ? null : statusHint(code, service);
    const n = g.responses.length;
    const rq = g.requests.length ? messages[g.requests[0]] : null;
    const comment = first.errorComment ? ` Error Comment: ${q(first.errorComment)}.` : '';
    const offending = first.offendingElements?.length ? ` Offending elements: ${first.offendingElements.join(', ')}.` : '';
    const severity = g.category === 'warning' ? 'warning' : 'error';
    out.push({
      rule: g.category === 'warning' ? 'dimse.warning-status' : 'dimse.failure-status',
      severity,
      title: `${n > 1 ? `${n} × ` : ''}${g.command} ${statusText(first)} from ${q(first.from)} on ${g.association}`,
      text: `${q(first.from)} answered ${n > 1 ? `${n} requests` : rq ? `the ${messageLabel(rq)}` : 'a request'} with ${statusText(first)} (PS3.7 Annex C${service === 'C-STORE' ? ', PS3.4 B.2.3' : service.startsWith('C-') && service !== 'C-ECHO' ? ', PS3.4 C.4' : ''})${hint ? `: ${hint}` : ''}.${comment}${offending}`,
      fix: fixFor(code, service, first.to, ctx.associations.get(g.association)?.requestor.host ?? 'HOST'),
      evidence: { associations: [g.association], messages: [...g.requests, ...g.responses].sort((a, b) => a - b) },
      time: first.time,
    });
  }
}

function fixFor(code: number | null, service: string, caller: string | null, host: string): string {
  if (code === 0x0124) return `Allow the caller ${q(caller)} at the SCP: ${where('knownCaller', { AE: caller ?? 'SCU', HOST: host })}; or ${where('allowUnknownCallers')}.`;
  if (code === 0x0122) return service === 'C-STORE' ? `Make the SCP accept the SOP class (${where('storeSopClasses')}).` : "Use a SOP class the SCP supports (see its conformance statement).";
  if (code !== null && (code & 0xff00) === 0xa700) return "Free space or raise the quota on the SCP; its log says which resource ran out.";
  if (code !== null && (code & 0xf000) === 0xb000) return 'Nothing to do if the changes are acceptable; otherwise read the SCP\'s log for what it coerced or dropped.';
  return "Read the SCP's log for this request (the Error Comment, when present, is its own words).";
}

export const dimseStatusRules: RuleFamily = {
  name: 'dimse-status',
  catalogue: [
    { id: 'dimse.failure-status', severity: 'error', summary: 'Failure statuses no other rule explains, per association, command and status (PS3.7 Annex C)' },
    { id: 'dimse.warning-status', severity: 'warning', summary: 'Warning statuses no other rule explains (e.g. C-STORE 0xB000 coercion)' },
  ],
  run,
};
