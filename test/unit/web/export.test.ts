/**
 * The exports of the diagram: Mermaid `sequenceDiagram` text and the
 * standalone SVG, from the layout of real DCMTK sessions
 * (test/fixtures/web/*.summary.json), and with hostile DICOM strings (a
 * patient name that is markup, AE titles with spaces and Mermaid syntax).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Summary, SummaryMessage } from '../../../shared/model/summary-types.ts';
import { layoutDiagram } from '../../../shared/view/diagram/layout.ts';
import { NO_FILTER } from '../../../shared/view/diagram/filter.ts';
import { layoutToMermaid, mermaidText } from '../../../shared/view/export/mermaid.ts';
import { escapeXml, layoutToSvg } from '../../../shared/view/export/svg.ts';
import { CANVAS_LIMITS, pngScale } from '../../../shared/view/export/png-scale.ts';
import { exportFileName } from '../../../web/src/lib/export/download.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import { migrateSummary } from '../../../shared/model/summary-migrations.ts';

const fixture = (name: string): Summary =>
  migrateSummary(JSON.parse(readFileSync(new URL(`../../fixtures/web/${name}.summary.json`, import.meta.url), 'utf8')));

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

/** The move session with a C-FIND whose match is a hostile patient name, between AEs with odd titles. */
function hostile(): Summary {
  const summary = fixture('move');
  const a1 = summary.associations[0];
  const associations = summary.associations.map((a) =>
    a.id === 'a1' ? { ...a, requestor: { ...a1.requestor, ae: 'MY SCU; #1 Q&R <x>' } } : a,
  );
  const base = summary.messages[0];
  const at = base.time / 2;
  const find = (over: Partial<SummaryMessage>): SummaryMessage => ({
    ...base, commandField: CommandField.CFindRq, time: at, moveDestination: null, identifier: { QueryRetrieveLevel: 'PATIENT' }, ...over,
  });
  const messages = [
    find({ messageId: 7 }),
    find({ commandField: CommandField.CFindRsp, side: 'acceptor', time: at + 0.0001, messageId: null, respondsTo: 7, status: 0xff00, statusCategory: 'pending', identifier: { PatientName: HOSTILE_NAME } }),
    find({ commandField: CommandField.CFindRsp, side: 'acceptor', time: at + 0.0002, messageId: null, respondsTo: 7, status: 0xff00, statusCategory: 'pending', identifier: { PatientName: 'LINE\nBREAK\u0000' } }),
    ...summary.messages,
  ];
  return { ...summary, associations, messages };
}

/**
 * A small XML well-formedness check: one root, every tag closed in order,
 * attributes quoted, no raw `<` or stray `&` in text or attribute values.
 */
function checkWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const token = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(token)) {
    const [, closing, name, attrs, selfClosing, text, stray] = m;
    if (stray) throw new Error(`stray '<' at ${m.index}: ${body.slice(m.index, m.index + 60)}`);
    const data = text ?? attrs ?? '';
    const badAmp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.exec(data);
    if (badAmp) throw new Error(`bare '&' in ${data.slice(0, 80)}`);
    if (text !== undefined) {
      if (stack.length === 0 && text.trim()) throw new Error(`text outside the root: ${text.slice(0, 40)}`);
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

describe('Mermaid export', () => {
  it('writes the C-MOVE with its sub-association as a sequenceDiagram', () => {
    const layout = layoutDiagram(fixture('move'), { pdus: false, realTime: false });
    expect(layoutToMermaid(layout)).toBe(
      [
        'sequenceDiagram',
        '  participant P1 as SCU<br/>127.0.0.1',
        '  participant P2 as QRSCP<br/>127.0.0.1:42817',
        '  participant P3 as STORESCP<br/>127.0.0.1:40739',
        '  activate P1',
        '  activate P2',
        '  P1-->>P2: a1 · A-ASSOCIATE accepted · 2 of 2 contexts',
        '  P1->>P2: C-MOVE-RQ #35;1 STUDY → STORESCP',
        '  Note over P2,P3: a2 sub-association of a1',
        '  activate P2',
        '  activate P3',
        '  P2-->>P3: a2 · A-ASSOCIATE accepted · 120 of 120 contexts',
        '  P2->>P3: C-STORE-RQ CT 2.25.17823…1.1.1',
        '  P3->>P2: Success',
        '  P2->>P1: Pending R=2 C=1 F=0 W=0',
        '  P2->>P3: C-STORE-RQ CT 2.25.17823…1.1.2',
        '  P3->>P2: Success',
        '  P2->>P1: Pending R=1 C=2 F=0 W=0',
        '  P2->>P3: C-STORE-RQ CT 2.25.17823…1.1.3',
        '  P3->>P2: Success',
        '  P2->>P1: Pending R=0 C=3 F=0 W=0',
        '  P2-->>P3: A-RELEASE',
        '  deactivate P2',
        '  deactivate P3',
        '  P2->>P1: Success C=3',
        '  P1-->>P2: A-RELEASE',
        '  deactivate P1',
        '  deactivate P2',
        '',
      ].join('\n'),
    );
  });

  it('balances activations per participant', () => {
    for (const name of ['move', 'get', 'move-unknown', 'reject', 'refused']) {
      const text = layoutToMermaid(layoutDiagram(fixture(name), { pdus: false, realTime: false }));
      const depth = new Map<string, number>();
      for (const line of text.split('\n')) {
        const m = /^ {2}(activate|deactivate) (P\d+)$/.exec(line);
        if (!m) continue;
        const d = (depth.get(m[2]) ?? 0) + (m[1] === 'activate' ? 1 : -1);
        expect(d, `${name}: ${line}`).toBeGreaterThanOrEqual(0);
        depth.set(m[2], d);
      }
      expect([...depth.values()].every((d) => d === 0), name).toBe(true);
    }
  });

  it('draws a rejected association as the request and a crossed A-ASSOCIATE-RJ with its reason', () => {
    const text = layoutToMermaid(layoutDiagram(fixture('reject'), { pdus: false, realTime: false }));
    expect(text).toMatch(/^ {2}P1-->>P2: a1 · A-ASSOCIATE-RQ SCU → WRONGAE$/m);
    expect(text).toMatch(/^ {2}P2-xP1: rejected: called AE 'WRONGAE' not recognized \(1\/1\/7\)$/m);
  });

  it('escapes #, ;, %, <, > and line breaks; aliases odd AE titles', () => {
    expect(mermaidText('a;b#c%d<e>f\ng\r\nh')).toBe('a#59;b#35;c#37;d#lt;e#gt;f<br/>g<br/>h');
    const text = layoutToMermaid(layoutDiagram(hostile(), { pdus: false, realTime: false }));
    expect(text).toContain('  participant P1 as MY SCU#59; #35;1 Q&R #lt;x#gt;<br/>127.0.0.1');
    expect(text).toContain('  participant P2 as QRSCP<br/>127.0.0.1:42817');
    expect(text).toContain('  P2->>P1: Pending match #lt;img src=x onerror=alert(1)#gt;');
    expect(text).toContain('  P2->>P1: Pending match LINE<br/>BREAK ');
    // every line is one statement: the header, a participant, a note, an (de)activation or a message
    for (const line of text.trimEnd().split('\n').slice(1)) {
      const bare = line.replace(/#(\d+|lt|gt);/g, '');
      expect(bare).toMatch(/^ {2}(participant P\d+ as [^;#\n]+|Note over P\d+(,P\d+)?: [^;#\n]+|(de)?activate P\d+|P\d+(-?->>|-x)P\d+: [^;#\n]+)$/);
    }
  });

  it('uses the current filter and the PDU level', () => {
    const summary = fixture('move');
    const stores = layoutToMermaid(layoutDiagram(summary, { pdus: false, realTime: false, filter: { ...NO_FILTER, command: 'C-STORE' } }));
    expect(stores.match(/->>/g)).toHaveLength(6);
    expect(stores).not.toContain('SCU<br/>');
    const pdus = layoutToMermaid(layoutDiagram(summary, { pdus: true, realTime: false }));
    expect(pdus.match(/-->>/g)).toHaveLength(summary.pdus.length);
  });
});

describe('SVG export', () => {
  it('is one well-formed document with one <line> per arrow, the whole diagram', () => {
    for (const [name, pdus] of [['move', false], ['move', true], ['get', false], ['reject', false], ['refused', false]] as const) {
      const layout = layoutDiagram(fixture(name), { pdus, realTime: false });
      const svg = layoutToSvg(layout);
      checkWellFormed(svg);
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.match(/<line /g) ?? []).toHaveLength(layout.arrows.length);
      expect(svg).toContain(`viewBox="0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}"`);
      for (const a of layout.arrows) expect(svg).toContain(`data-index="${a.index}" data-kind="${a.kind}"`);
      for (const l of layout.lifelines) expect(svg).toContain(`>${l.endpoint}</text>`);
      expect(svg).not.toMatch(/class=|<style/); // styles inline
    }
  });

  it('escapes DICOM strings: a patient name that is markup comes out as text', () => {
    const layout = layoutDiagram(hostile(), { pdus: false, realTime: false });
    const svg = layoutToSvg(layout);
    checkWellFormed(svg);
    expect(svg).toContain('>Pending match &lt;img src=x onerror=alert(1)&gt;</text>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('>MY SCU; #1 Q&amp;R &lt;x&gt;</text>');
    expect(svg).toContain('data-ae="MY SCU; #1 Q&amp;R &lt;x&gt;"');
    expect(svg).not.toContain('\u0000');
    expect(svg.match(/<line /g) ?? []).toHaveLength(layout.arrows.length);
  });

  it('escapeXml handles quotes, ampersands and characters XML forbids', () => {
    expect(escapeXml(`a"b'c&d<e>f`)).toBe('a&quot;b&apos;c&amp;d&lt;e&gt;f');
    expect(escapeXml('x\u0000y\u001bz\ud800')).toBe('x y z ');
    expect(escapeXml('ok\t\n😀')).toBe('ok\t\n😀');
  });
});

describe('export files', () => {
  it('names files pacscope-<date>.<ext>', () => {
    const d = new Date(2026, 10, 22, 7, 5, 9);
    expect(exportFileName('svg', d)).toBe('pacscope-2026-11-22T07-05-09.svg');
    expect(exportFileName('mmd', d)).toMatch(/^pacscope-[\dT-]+\.mmd$/);
  });

  it('scales a PNG 2× unless the canvas would be too large', () => {
    expect(pngScale(800, 600)).toBe(2);
    const tall = pngScale(1000, 700_000);
    expect(700_000 * tall).toBeLessThanOrEqual(CANVAS_LIMITS.side);
    const big = pngScale(9000, 20_000);
    expect(9000 * big * 20_000 * big).toBeLessThanOrEqual(CANVAS_LIMITS.area * 1.0001);
  });
});
