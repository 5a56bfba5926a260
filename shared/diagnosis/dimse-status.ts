/**
 * The fallback: every failure or warning status (PS3.7 Annex C; PS3.4 B.2.3,
 * C.4.x) that no more specific rule has explained, grouped per association,
 * command and status so that a thousand failed C-STOREs make one finding.
 * Runs last (registry.ts).
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { messageLabel, q, statusText } from './format.ts';
import { setting, type SettingValues } from './peer-settings.ts';
import type { ProductId } from './products.ts';
import { hostPort } from './format.ts';
import { statusHint } from './status-hints.ts';
import { serviceOfField } from '../dimse/command-fields.ts';
import { commandOf, statusCodeOf } from '../dimse/message-words.ts';

interface Group {
  association: string;
  command: string;
  commandField: number;
  status: number | null;
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
    const key = `${m.association}|${commandOf(m)}|${statusCodeOf(m)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { association: m.association, command: commandOf(m), commandField: m.commandField, status: m.status, category: m.statusCategory, responses: [], requests: [] }));
    g.responses.push(i);
    if (rq >= 0) g.requests.push(rq);
  }
  for (const g of groups.values()) {
    const first = messages[g.responses[0]];
    const code = g.status;
    const service = serviceOfField(g.commandField);
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
      fix: fixFor(ctx, code, service, g.association, first.side === 'acceptor' ? 'acceptor' : 'requestor'),
      evidence: { associations: [g.association], messages: [...g.requests, ...g.responses].sort((a, b) => a - b) },
      time: first.time,
    });
  }
}

function fixFor(ctx: DiagnosisContext, code: number | null, service: string, id: string, answerer: 'requestor' | 'acceptor'): string {
  const a = ctx.associations.get(id);
  if (!a) return 'Read the log of the peer that answered: the status is its own.';
  const [scp, caller] = answerer === 'acceptor' ? [a.acceptor, a.requestor] : [a.requestor, a.acceptor];
  const product: ProductId | null = ctx.productOf(a, answerer);
  const at = answerer === 'acceptor' ? ` at ${hostPort(scp)}` : '';
  const who = `${q(scp.ae)}${at}`;
  const callerAt = ctx.products.addressOf(caller.ae);
  const values: SettingValues = { AE: caller.ae, HOST: caller.host, PORT: callerAt?.host === caller.host ? callerAt.port : null };
  if (code === 0x0124) return `Allow the caller ${q(caller.ae)} at ${who}: ${setting('knownCaller', product, values)}. Or allow unknown callers: ${setting('allowUnknownCallers', product)}.`;
  if (code === 0x0122) return service === 'C-STORE' ? `Make ${who} accept the SOP class: ${setting('storeSopClasses', product)}.` : `Use a SOP class ${who} supports (its conformance statement lists them).`;
  if (code !== null && (code & 0xff00) === 0xa700) return `Free space or raise the quota on ${who}: its log says which resource ran out.`;
  if (code !== null && (code & 0xf000) === 0xb000) return `Accept the changes, or read the log of ${who} for what it coerced or dropped.`;
  return `Read the log of ${who} for this request (the Error Comment, when present, is its own words).`;
}

export const dimseStatusRules: RuleFamily = {
  name: 'dimse-status',
  catalogue: [
    { id: 'dimse.failure-status', severity: 'error', summary: 'Failure statuses no other rule explains, per association, command and status (PS3.7 Annex C)' },
    { id: 'dimse.warning-status', severity: 'warning', summary: 'Warning statuses no other rule explains (e.g. C-STORE 0xB000 coercion)' },
  ],
  run,
};
