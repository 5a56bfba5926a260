/**
 * An association PDU decoded from its bytes (GET …/pdus/:index/bytes) with
 * the shared decoder, as rows of fields named as in PS3.8: A-ASSOCIATE-RQ/AC
 * (§9.3.2, §9.3.3, Table 9-11/9-17, the items of §9.3.2.1–§9.3.3.3 and the
 * user-information sub-items of PS3.8 Annex D and PS3.7 Annex D.3.3),
 * A-ASSOCIATE-RJ (§9.3.4, Table 9-21), A-RELEASE-RQ/RP (§9.3.6, §9.3.7),
 * A-ABORT (§9.3.8, Table 9-26). The summary lacks some of these (protocol
 * version, application context name, extended negotiation, unknown items):
 * the bytes have them all. Secrets never appear: the decoder keeps only the
 * lengths of passcodes and tokens.
 */
import type { DecodeProblem, Pdu, UnknownItem, UserInformation } from '../../../../shared/pdu/types.ts';
import { decodePdu } from '../../../../shared/pdu/decode.ts';
import { uidName } from '../../../../shared/dicom/uids.ts';
import { presentationContextResultText } from '../../../../shared/pdu/meanings.ts';
import { hexToBytes } from './hex.ts';

export interface PduField {
  field: string;
  value: string;
  meaning: string;
}

export interface DecodedPdu {
  pdu: Pdu | null;
  problems: DecodeProblem[];
}

/** Decodes the PDU bytes as the API gives them; a truncated copy (big P-DATA-TF only) is not decoded. */
export function decodePduBytes(info: { hex: string; offset: number; truncated: boolean }): DecodedPdu {
  if (info.truncated) return { pdu: null, problems: [{ offset: info.offset, reason: 'only the first bytes of this PDU were kept' }] };
  return decodePdu(hexToBytes(info.hex), info.offset);
}

const hex2 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
const uidMeaning = (uid: string | null): string => (uid ? (uidName(uid) ?? '') : '');
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function unknownRows(items: readonly UnknownItem[]): PduField[] {
  return items.map((u) => ({ field: `Item ${hex2(u.itemType)}`, value: `${u.value.length / 2} bytes`, meaning: 'not known here, or not allowed where it stands' }));
}

function userInformationRows(ui: UserInformation): PduField[] {
  const rows: PduField[] = [];
  // PS3.8 Annex D.1: 0 means no maximum.
  if (ui.maxLength !== null) rows.push({ field: 'Maximum Length Received', value: String(ui.maxLength), meaning: ui.maxLength === 0 ? 'no limit' : 'bytes, the longest P-DATA-TF this side accepts' });
  if (ui.implementationClassUid !== null) rows.push({ field: 'Implementation Class UID', value: ui.implementationClassUid, meaning: '' });
  if (ui.implementationVersionName !== null) rows.push({ field: 'Implementation Version Name', value: ui.implementationVersionName, meaning: '' });
  if (ui.asyncOperationsWindow) {
    const w = ui.asyncOperationsWindow;
    rows.push({ field: 'Asynchronous Operations Window', value: `${w.maxInvoked} / ${w.maxPerformed}`, meaning: 'maximum operations invoked / performed (0 = unlimited)' });
  }
  for (const r of ui.roleSelections) {
    const roles = [r.scuRole ? 'SCU' : '', r.scpRole ? 'SCP' : ''].filter(Boolean).join(' and ') || 'neither';
    rows.push({ field: 'SCP/SCU Role Selection', value: r.sopClassUid, meaning: `${uidMeaning(r.sopClassUid)}${uidMeaning(r.sopClassUid) ? ': ' : ''}${roles}` });
  }
  for (const x of ui.sopClassExtended) rows.push({ field: 'SOP Class Extended Negotiation', value: x.sopClassUid, meaning: `${uidMeaning(x.sopClassUid)} ${x.info.length / 2} bytes of service-class information`.trim() });
  for (const x of ui.sopClassCommonExtended) {
    rows.push({ field: 'SOP Class Common Extended Negotiation', value: x.sopClassUid, meaning: `service class ${x.serviceClassUid}${x.relatedGeneralSopClasses.length ? `; related ${x.relatedGeneralSopClasses.join(', ')}` : ''}` });
  }
  const id = ui.userIdentityRq;
  if (id) {
    rows.push({ field: 'User-Identity-Type', value: String(id.identityType), meaning: id.identityTypeText });
    rows.push({ field: 'Positive-response-requested', value: id.positiveResponseRequested ? '1' : '0', meaning: yesNo(id.positiveResponseRequested) });
    rows.push({ field: 'Primary-field', value: id.username ?? `${id.primaryFieldLength} bytes`, meaning: id.username !== null ? 'username' : 'not shown' });
    if (id.secondaryFieldLength > 0) rows.push({ field: 'Secondary-field', value: `${id.secondaryFieldLength} bytes`, meaning: 'passcode, not shown' });
  }
  if (ui.userIdentityAc) rows.push({ field: 'Server-response', value: `${ui.userIdentityAc.serverResponseLength} bytes`, meaning: 'the user identity was accepted' });
  rows.push(...unknownRows(ui.unknownItems));
  return rows;
}

/** The fields of a decoded PDU, in wire order. */
export function pduFields(pdu: Pdu): PduField[] {
  const rows: PduField[] = [
    { field: 'PDU-type', value: hex2(pdu.pduType), meaning: pdu.name },
    { field: 'PDU-length', value: String(pdu.length - 6), meaning: 'bytes after the 6-byte header' },
  ];
  switch (pdu.pduType) {
    case 0x01:
    case 0x02: {
      // PS3.8 §9.3.2: bit 0 is version 1, the only one defined.
      rows.push({ field: 'Protocol-version', value: String(pdu.protocolVersion), meaning: pdu.protocolVersion & 1 ? 'version 1' : 'version 1 not supported' });
      // In the A-ASSOCIATE-AC the AE titles echo the RQ and are not to be tested (§9.3.3).
      const echo = pdu.pduType === 0x02 ? 'as in the A-ASSOCIATE-RQ (not tested)' : '';
      rows.push({ field: 'Called-AE-title', value: pdu.calledAeTitle, meaning: echo });
      rows.push({ field: 'Calling-AE-title', value: pdu.callingAeTitle, meaning: echo });
      rows.push({ field: 'Application Context Name', value: pdu.applicationContext ?? 'missing', meaning: uidMeaning(pdu.applicationContext) });
      if (pdu.pduType === 0x01) {
        for (const pc of pdu.presentationContexts) {
          const ts = pc.transferSyntaxes.map((t) => uidName(t) ?? t).join(', ');
          rows.push({ field: 'Presentation Context Item', value: `ID ${pc.id}`, meaning: `${pc.abstractSyntax ? (uidName(pc.abstractSyntax) ?? pc.abstractSyntax) : 'no abstract syntax'}; ${ts || 'no transfer syntax'}` });
        }
      } else {
        for (const pc of pdu.presentationContexts) {
          const ts = pc.result === 0 && pc.transferSyntax ? `; ${uidName(pc.transferSyntax) ?? pc.transferSyntax}` : '';
          rows.push({ field: 'Presentation Context Item', value: `ID ${pc.id}`, meaning: `${pc.result} ${presentationContextResultText(pc.result)}${ts}` });
        }
      }
      if (pdu.userInformation) rows.push(...userInformationRows(pdu.userInformation));
      else rows.push({ field: 'User Information Item', value: 'missing', meaning: 'required (PS3.8 Annex D.1)' });
      rows.push(...unknownRows(pdu.unknownItems));
      break;
    }
    case 0x03:
      rows.push({ field: 'Result', value: String(pdu.result), meaning: pdu.resultText });
      rows.push({ field: 'Source', value: String(pdu.source), meaning: pdu.sourceText });
      rows.push({ field: 'Reason/Diag.', value: String(pdu.reason), meaning: pdu.reasonText });
      break;
    case 0x07:
      rows.push({ field: 'Source', value: String(pdu.source), meaning: pdu.sourceText });
      rows.push({ field: 'Reason/Diag.', value: String(pdu.reason), meaning: pdu.reasonText });
      break;
    case 0x04:
      rows.push({ field: 'Presentation-data-value Items', value: String(pdu.pdvs.length), meaning: 'PDVs' });
      break;
    default:
      break;
  }
  return rows;
}
