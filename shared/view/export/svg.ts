/**
 * The whole diagram as a standalone SVG document (not only the part in view):
 * lifeline heads, lifelines, association bars, links, arrows with their
 * labels and times. Pure: Layout → string, styles inline (no stylesheet, so
 * the file looks the same in any viewer and as a PNG).
 *
 * Every text (AE titles, patient names…) is escaped as XML character data;
 * characters XML 1.0 does not allow (controls, ISO 2022 escapes) become
 * spaces.
 */
import { GEOMETRY, type Arrow, type Layout } from '../diagram/layout.ts';
import { headText } from '../diagram/lane-heads.ts';
import { isWideLabel } from '../diagram/labels.ts';

const COLOURS: Record<string, string> = {
  'status-success': '#1a7f37',
  'status-pending': '#2457c5',
  'status-warning': '#a35f00',
  'status-failure': '#c4142b',
  'status-cancel': '#6e5ba8',
  pdu: '#5b6572',
  lifecycle: '#59626f',
  request: '#1b1f24',
};
const FG = '#1b1f24';
const MUTED = '#5b6572';
const LINE = '#b8c0cc';
const BG = '#ffffff';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const MONO = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";
const HEAD_HEIGHT = 56;

/** Text as XML character data or attribute value. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

function timeText(seconds: number): string {
  return seconds < 10 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(3)} s`;
}

function arrowSvg(a: Arrow): string {
  const colour = COLOURS[a.cls] ?? FG;
  const dir = a.x2 >= a.x1 ? 1 : -1;
  const pdu = a.kind === 'pdu';
  const lifecycle = a.kind === 'lifecycle';
  const failed = a.cls === 'status-failure';
  const bold = failed || a.cls === 'status-warning';
  const wide = isWideLabel(a);
  const tx = wide ? Math.min(a.x1, a.x2) + 8 : (a.x1 + a.x2) / 2;
  const dash = pdu ? ' stroke-dasharray="3 3"' : lifecycle && !failed ? ' stroke-dasharray="5 3"' : '';
  const size = pdu ? 12 : lifecycle ? (failed ? 15 : 13) : 15;
  const end =
    a.event === 'refused'
      ? `<path d="M ${n(a.x2 - 6)} ${n(a.y - 6)} L ${n(a.x2 + 6)} ${n(a.y + 6)} M ${n(a.x2 - 6)} ${n(a.y + 6)} L ${n(a.x2 + 6)} ${n(a.y - 6)}" stroke="${colour}" stroke-width="3" fill="none"/>`
      : `<path d="M ${n(a.x2)} ${n(a.y)} L ${n(a.x2 - 9 * dir)} ${n(a.y - 5)} L ${n(a.x2 - 9 * dir)} ${n(a.y + 5)} Z" fill="${colour}"/>`;
  return (
    `<g data-index="${a.index}" data-kind="${a.kind}" data-command="${escapeXml(a.command)}" data-association="${escapeXml(a.association)}">` +
    `<line x1="${n(a.x1)}" y1="${n(a.y)}" x2="${n(a.x2)}" y2="${n(a.y)}" stroke="${colour}" stroke-width="${pdu ? 1 : lifecycle && !failed ? 1.5 : 2}"${dash}/>` +
    end +
    `<text x="${n(tx)}" y="${n(a.y - 6)}" fill="${colour}" font-size="${size}"${pdu ? ` font-family="${MONO}"` : ''}${bold ? ' font-weight="700"' : ''} text-anchor="${wide ? 'start' : 'middle'}" paint-order="stroke" stroke="${BG}" stroke-width="4" stroke-linejoin="round">${escapeXml(a.label)}</text>` +
    `<text x="${GEOMETRY.left - 34}" y="${n(a.y + 4)}" fill="${MUTED}" font-size="11" font-family="${MONO}" text-anchor="end">${timeText(a.time)}</text>` +
    `</g>`
  );
}

/** The layout as a standalone SVG document. */
export function layoutToSvg(layout: Layout, title = 'pacscope sequence diagram'): string {
  const g = GEOMETRY;
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="${BG}"/>`);
  for (const l of layout.lifelines) {
    out.push(`<path d="M ${n(l.x)} ${g.top - 30} V ${height}" stroke="${LINE}" stroke-width="1.5" stroke-dasharray="6 5" fill="none"/>`);
  }
  for (const link of layout.links) {
    out.push(
      `<circle cx="${n(link.x1)}" cy="${n(link.y1)}" r="4.5" fill="#b07a00"/>` +
        `<path d="M ${n(link.x1)} ${n(link.y1)} H ${n(link.x2)} V ${n(link.y2 - 8)}" fill="none" stroke="#b07a00" stroke-width="3" stroke-dasharray="7 4"/>` +
        `<path d="M ${n(link.x2)} ${n(link.y2)} L ${n(link.x2 - 6)} ${n(link.y2 - 9)} L ${n(link.x2 + 6)} ${n(link.y2 - 9)} Z" fill="#b07a00"/>`,
    );
  }
  for (const b of layout.breaks) {
    let d = `M 0 ${n(b.y)}`;
    for (let x = 0; x < width; x += 16) d += ` L ${x + 8} ${n(b.y - 4)} L ${x + 16} ${n(b.y)}`;
    out.push(`<path d="${d}" fill="none" stroke="#8a93a0" stroke-width="1.5"/><text x="${g.left - 34}" y="${n(b.y - 4)}" font-size="12" fill="${MUTED}" font-family="${MONO}" text-anchor="end">${escapeXml(b.label)}</text>`);
  }
  for (const c of layout.cancels) {
    out.push(`<path d="M ${n(c.x + 10)} ${n(c.y1)} H ${n(c.x)} V ${n(c.y2)} H ${n(c.x + 10)}" fill="none" stroke="${COLOURS['status-cancel']}" stroke-width="2" stroke-dasharray="3 3"/>`);
  }
  for (const bar of layout.bars) {
    const fill = bar.failed ? '#fbe0e3' : bar.parent !== null ? '#fdebc8' : '#dfe7f5';
    const stroke = bar.failed ? COLOURS['status-failure'] : bar.parent !== null ? '#c28f2c' : '#7d93c2';
    const h = n(Math.max(4, bar.y2 - bar.y1));
    // How it started and ended is said by its lifecycle arrows; the bar's tooltip repeats it.
    out.push(`<g data-association="${escapeXml(bar.id)}" data-outcome="${bar.outcome}"><title>${escapeXml(`${bar.title} — ${bar.endLabel}`)}</title>`);
    for (const x of bar.outcome === 'refused' ? [bar.requestorX] : [bar.requestorX, bar.acceptorX]) {
      out.push(`<rect x="${n(x - g.barWidth / 2)}" y="${n(bar.y1)}" width="${g.barWidth}" height="${h}" rx="3" fill="${fill}" stroke="${stroke}"/>`);
    }
    out.push('</g>');
  }
  for (const a of layout.arrows) out.push(arrowSvg(a));
  for (const l of layout.lifelines) {
    const h = headText(l, 1);
    out.push(
      `<g data-ae="${escapeXml(l.ae)}"><title>${escapeXml(h.full)}</title>` +
        `<rect x="${n(l.x - h.width / 2)}" y="6" width="${n(h.width)}" height="${HEAD_HEIGHT - 12}" rx="6" fill="${BG}" stroke="${FG}" stroke-width="1.5"${l.rank === 2 ? ' stroke-dasharray="5 3"' : ''}/>` +
        `<text x="${n(l.x)}" y="27" font-size="${n(h.titleSize)}" font-weight="700" text-anchor="middle" fill="${FG}">${escapeXml(h.title)}</text>` +
        `<text x="${n(l.x)}" y="45" font-size="${n(h.subtitleSize)}" text-anchor="middle" fill="${MUTED}" font-family="${MONO}">${escapeXml(h.subtitle)}</text>` +
        `</g>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
