/**
 * Arrow labels as people read them: `C-MOVE-RQ #3 STUDY → STORESCP`,
 * `Pending R=5 C=2 F=0 W=0`, `Success C=7`, `C-STORE-RQ CT 1.2.3…`,
 * `Failure 0xA801 Refused: move destination unknown`. Pure functions.
 */
import type { SummaryMessage, SummaryPdu } from '../../model/summary-types.ts';
import { uidName } from '../../dicom/uids.ts';
import { dicomText } from '../dicom-text.ts';
import { CommandField } from '../../dimse/command-fields.ts';
import { commandOf, statusCodeOf, statusMeaningOf } from '../../dimse/message-words.ts';
import { procedureStepLabel } from '../../dimse/worklist-mpps-words.ts';
import { commitmentLabel } from '../../dimse/storage-commitment.ts';
import type { Arrow } from './layout-types.ts';

/**
 * Shortens a UID for a label: its first `keep` characters, an ellipsis and
 * its last component(s), so instances of one study (which share a long root)
 * stay distinguishable: `2.25.8155309…1.1.3`.
 */
export function shortUid(uid: string, keep = 10): string {
  if (uid.length <= keep + 8) return uid;
  const tail = uid.slice(-7);
  const cut = tail.indexOf('.');
  return `${uid.slice(0, keep)}…${cut >= 0 && cut < tail.length - 1 ? tail.slice(cut + 1) : tail}`;
}

/** "CT" for CT Image Storage, "MR" …; the SOP class name without "Storage" otherwise. */
export function sopClassShort(uid: string | null): string {
  if (!uid) return '';
  const name = uidName(uid);
  if (!name) return shortUid(uid, 16);
  const stripped = name.replace(/\s*(Image\s+)?Storage(\s*-\s*For\s+\w+)?$/i, '').trim();
  const known: Record<string, string> = {
    'CT': 'CT', 'MR': 'MR', 'Enhanced CT': 'CT', 'Enhanced MR': 'MR', 'Computed Radiography': 'CR',
    'Ultrasound': 'US', 'Secondary Capture': 'SC', 'Digital X-Ray': 'DX', 'Digital Mammography X-Ray': 'MG',
    'Positron Emission Tomography': 'PT', 'Nuclear Medicine': 'NM', 'X-Ray Angiographic': 'XA',
  };
  return known[stripped] ?? stripped;
}

/** A value of the message's identifier as plain text (never markup). */
export function identifierText(message: SummaryMessage, keyword: string): string | null {
  const value = message.identifier?.[keyword];
  return dicomText(value);
}

function counters(m: SummaryMessage, all: boolean): string {
  const parts: string[] = [];
  if (all || m.remaining !== null) parts.push(`R=${m.remaining ?? '-'}`);
  if (m.completed !== null) parts.push(`C=${m.completed}`);
  if (all || (m.failed ?? 0) > 0) parts.push(`F=${m.failed ?? 0}`);
  if (all || (m.warning ?? 0) > 0) parts.push(`W=${m.warning ?? 0}`);
  return parts.join(' ');
}

function capitalised(category: string): string {
  return category.charAt(0).toUpperCase() + category.slice(1);
}

function requestLabel(m: SummaryMessage): string {
  const id = m.messageId !== null ? ` #${m.messageId}` : '';
  const level = identifierText(m, 'QueryRetrieveLevel');
  const command = commandOf(m);
  switch (m.commandField) {
    case CommandField.CMoveRq:
      return `${command}${id}${level ? ` ${level}` : ''} → ${m.moveDestination ?? '?'}`;
    case CommandField.CFindRq:
    case CommandField.CGetRq:
      return `${command}${id}${level ? ` ${level}` : ''}`;
    case CommandField.CStoreRq: {
      const kind = identifierText(m, 'Modality') ?? sopClassShort(m.affectedSopClass);
      const uid = m.affectedSopInstance ? ` ${shortUid(m.affectedSopInstance)}` : '';
      return `${command} ${kind}${uid}`.replace(/\s+/g, ' ').trim();
    }
    case CommandField.CCancelRq:
      return `C-CANCEL-RQ → #${m.respondsTo ?? '?'}`;
    default:
      return `${command}${id}`;
  }
}

function responseLabel(m: SummaryMessage): string {
  const category = m.statusCategory ?? 'unknown';
  const isRetrieve = m.commandField === CommandField.CMoveRsp || m.commandField === CommandField.CGetRsp;
  if (category === 'pending') {
    if (isRetrieve) return `Pending ${counters(m, true)}`;
    if (m.commandField === CommandField.CFindRsp) {
      const name = identifierText(m, 'PatientName') ?? identifierText(m, 'PatientID') ?? identifierText(m, 'StudyInstanceUID');
      return name ? `Pending match ${name}` : 'Pending match';
    }
    return `Pending ${statusCodeOf(m) ?? ''}`.trim();
  }
  const head = capitalised(category);
  const count = isRetrieve ? counters(m, false) : '';
  if (category === 'success') return `${head}${count ? ` ${count}` : ''}`;
  // "Cancel 0xFE00: sub-operations terminated…" rather than "Cancel 0xFE00 Cancel: sub-operations…"
  const meaningText = statusMeaningOf(m) ?? '';
  const meaning = meaningText.toLowerCase().startsWith(`${category}:`) ? meaningText.slice(category.length) : meaningText ? ` ${meaningText}` : '';
  return `${head} ${statusCodeOf(m) ?? ''}${meaning}${count ? ` ${count}` : ''}`.replace(/\s+/g, ' ').trim();
}

/** The label of one DIMSE message arrow. */
export function messageLabel(m: SummaryMessage): string {
  // Worklist queries and matches, MPPS status transitions (PS3.4 K, F.7): their own words.
  // Storage commitment requests and reports (PS3.4 J.3): Transaction UID, instances, event type and failures.
  return procedureStepLabel(m) ?? commitmentLabel(m, (uid) => shortUid(uid)) ?? (m.status === null ? requestLabel(m) : responseLabel(m));
}

/** The label of one PDU arrow: the PDU type and, for P-DATA-TF, its PDVs. */
export function pduLabel(p: SummaryPdu): string {
  if (!p.pdvs || p.pdvs.length === 0) return `${p.type} (${p.length} B)`;
  const pdvs = p.pdvs.map((v) => `pc${v.presentationContextId} ${v.isCommand ? 'cmd' : 'data'}${v.isLast ? ' last' : ''} ${v.length} B`);
  return `${p.type} ${pdvs.join(' · ')}`;
}

/** CSS class of a status category (colour on screen, with the meaning in words). */
export function statusClass(m: SummaryMessage): string {
  if (m.status === null) return 'request';
  return `status-${m.statusCategory ?? 'unknown'}`;
}

/**
 * Is an arrow's label wider than the arrow, by an estimate of its width at
 * the label's font size? It then starts at the arrow's left end instead of
 * being centred, never cut off at the left (the diagram on screen and the
 * SVG export).
 */
export function isWideLabel(a: Arrow, dx = a.x2 - a.x1): boolean {
  return a.label.length * (a.kind === 'pdu' ? 7.3 : 8.2) > Math.abs(dx) - 16;
}
