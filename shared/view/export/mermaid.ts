/**
 * The diagram as Mermaid `sequenceDiagram` text. Pure: Layout → string.
 *
 * - Participants in lifeline order, with aliases P1, P2… (AE titles may hold
 *   spaces or characters Mermaid reads as syntax); the AE title and host:port
 *   are the participant's label.
 * - One `A->>B: label` per DIMSE message (`A-->>B` per PDU at the PDU level
 *   and per lifecycle event of an association: A-ASSOCIATE, A-RELEASE;
 *   `A-xB` where it failed: A-ASSOCIATE-RJ, A-ABORT, a refused or dropped
 *   connection), in diagram order.
 * - An association activates its two participants from its start to its end
 *   (Mermaid stacks activations, so a sub-association nests inside the move
 *   SCP's bar); a sub-association gets a Note at its start naming the
 *   association of its C-MOVE.
 * - Labels: `#` → `#35;`, `;` → `#59;`, `%` → `#37;`, `<`/`>` → `#lt;`/`#gt;` (Mermaid's
 *   entity codes; DICOM strings stay text), newlines → `<br/>`.
 */
import type { Layout } from '../diagram/layout.ts';
import { laneSubtitle } from '../diagram/lane-heads.ts';

const ENTITIES: Record<string, string> = { '#': '#35;', ';': '#59;', '%': '#37;', '<': '#lt;', '>': '#gt;' };

/** A text for a Mermaid label: entity codes for `#`, `;`, `%`, `<`, `>`; line breaks as `<br/>`. */
export function mermaidText(text: string): string {
  return (
    text
      // One pass, so the `;` of an entity code is not escaped again.
      .replace(/[#;%<>]/g, (c) => ENTITIES[c])
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/g, ' ')
      .replace(/\r\n|\r|\n|\u2028|\u2029/g, '<br/>')
  );
}

interface Step {
  y: number;
  /** At equal y: association starts, then arrows, then ends. */
  order: number;
  line: string[];
}

export function layoutToMermaid(layout: Layout): string {
  const alias = new Map<string, string>();
  const out: string[] = ['sequenceDiagram'];
  layout.lifelines.forEach((l, i) => {
    const id = `P${i + 1}`;
    alias.set(l.key, id);
    out.push(`  participant ${id} as ${mermaidText(l.ae || l.endpoint)}<br/>${mermaidText(laneSubtitle(l))}`);
  });
  const steps: Step[] = [];
  for (const bar of layout.bars) {
    const e = layout.ends.get(bar.id);
    if (!e) continue;
    const r = alias.get(e.requestor);
    const a = alias.get(e.acceptor);
    if (!r || !a) continue;
    const over = r === a ? r : `${r},${a}`;
    const start = bar.parent ? [`  Note over ${over}: ${mermaidText(`${bar.id} sub-association of ${bar.parent}`)}`] : [];
    // A refused connection never became an association: nothing to activate.
    const at = bar.outcome === 'refused';
    if (!at) start.push(`  activate ${r}`, `  activate ${a}`);
    if (start.length) steps.push({ y: bar.y1, order: 0, line: start });
    if (!at && bar.outcome !== 'open') steps.push({ y: bar.y2, order: 2, line: [`  deactivate ${r}`, `  deactivate ${a}`] });
  }
  for (const arrow of layout.arrows) {
    const e = layout.ends.get(arrow.association);
    if (!e) continue;
    const from = alias.get(arrow.side === 'requestor' ? e.requestor : e.acceptor);
    const to = alias.get(arrow.side === 'requestor' ? e.acceptor : e.requestor);
    if (!from || !to) continue;
    const head = arrow.kind === 'message' ? '->>' : arrow.kind === 'lifecycle' && arrow.cls === 'status-failure' ? '-x' : '-->>';
    steps.push({ y: arrow.y, order: 1, line: [`  ${from}${head}${to}: ${mermaidText(arrow.label)}`] });
  }
  // Stable sort: equal rows keep bars before arrows before ends, in layout order.
  steps.sort((x, y) => x.y - y.y || x.order - y.order);
  for (const s of steps) out.push(...s.line);
  return `${out.join('\n')}\n`;
}
