/**
 * Query/Retrieve requests that do not fit the information model (PS3.4
 * C.3–C.6): the SCP does not support the model at all (0x0122, PS3.7
 * C.5.x "Refused: SOP class not supported"); the identifier does not match
 * it (0xA900, PS3.4 C.4.1.1.4 / C.4.2.1.5 / C.4.3.1.4); a Query/Retrieve Level
 * the model has not (PATIENT in Study Root, PS3.4 C.6.2); and C-MOVE/C-GET by
 * non-unique keys — in the baseline hierarchical retrieve the identifier
 * holds the unique key of the retrieve level, with one or more values and no
 * wildcards, and the unique keys above it (PS3.4 C.2.2.1.1, C.4.2.2.1,
 * C.4.3.2.1); other attributes are not matching keys there (relational
 * retrieve, negotiated by extended negotiation, relaxes this).
 */
import type { DiagnosisContext } from './context.ts';
import type { Finding, Severity } from './types.ts';
import type { RuleFamily } from './rule.ts';
import { list, messageLabel, q, statusText, uidText } from './format.ts';
import { setting } from './peer-settings.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { commandOf } from '../dimse/message-words.ts';
import { isWorklistFind } from '../dicom/worklist-mpps.ts';

type Model = 'patient' | 'study' | 'patient-study';

/** SOP class UID prefix → model (PS3.4 C.6). */
const MODELS: readonly [string, Model][] = [
  ['1.2.840.10008.5.1.4.1.2.1.', 'patient'],
  ['1.2.840.10008.5.1.4.1.2.2.', 'study'],
  ['1.2.840.10008.5.1.4.1.2.3.', 'patient-study'],
];

/** Levels of each model, top down, with their unique key (PS3.4 C.6.1.1, C.6.2.1, C.6.3.1). */
const LEVELS: Readonly<Record<Model, readonly [string, string][]>> = {
  patient: [['PATIENT', 'PatientID'], ['STUDY', 'StudyInstanceUID'], ['SERIES', 'SeriesInstanceUID'], ['IMAGE', 'SOPInstanceUID']],
  study: [['STUDY', 'StudyInstanceUID'], ['SERIES', 'SeriesInstanceUID'], ['IMAGE', 'SOPInstanceUID']],
  'patient-study': [['PATIENT', 'PatientID'], ['STUDY', 'StudyInstanceUID']],
};

const MODEL_NAMES: Readonly<Record<Model, string>> = { patient: 'Patient Root', study: 'Study Root', 'patient-study': 'Patient/Study Only' };
/** Attributes that are not matching keys (PS3.4 C.4.1.1.3.1, PS3.5): always allowed. */
const NOT_KEYS = new Set(['QueryRetrieveLevel', 'SpecificCharacterSet', 'TimezoneOffsetFromUTC']);
const QR_SERVICES = new Set(['C-FIND-RQ', 'C-MOVE-RQ', 'C-GET-RQ']);

const modelOf = (uid: string | null): Model | null => (uid ? (MODELS.find(([prefix]) => uid.startsWith(prefix))?.[1] ?? null) : null);
/** The unique keys of each model's levels (PS3.4 C.6): anything else in a retrieve identifier is not a matching key. */
const UNIQUE_KEYS: Readonly<Record<Model, ReadonlySet<string>>> = {
  patient: new Set(LEVELS.patient.map(([, k]) => k)),
  study: new Set(LEVELS.study.map(([, k]) => k)),
  'patient-study': new Set(LEVELS['patient-study'].map(([, k]) => k)),
};

function run(ctx: DiagnosisContext, out: Finding[]): void {
  const { messages } = ctx.summary;
  for (let i = 0; i < messages.length; i++) {
    if (ctx.kind[i] !== 1) continue;
    const m = messages[i];
    if (!QR_SERVICES.has(commandOf(m)) || isWorklistFind(m.affectedSopClass)) continue; // a worklist query: worklist-mpps.ts
    const finalIndex = ctx.finalOf(i);
    const fin = finalIndex === null ? null : messages[finalIndex];
    const code = fin?.status;
    const evidence = { associations: [m.association], messages: finalIndex === null ? [i] : [i, finalIndex] };
    const model = modelOf(m.affectedSopClass);
    const a = ctx.associations.get(m.association);
    const scu = a ? ctx.productOf(a, 'requestor') : null;
    if (code === 0x0122 && fin) {
      const other = model === 'study' ? 'Patient Root' : 'Study Root';
      out.push({
        rule: 'query.information-model-not-supported', severity: 'error', evidence, time: fin.time,
        title: `${q(fin.from)} does not support ${uidText(m.affectedSopClass)} (0x0122)`,
        text: `The ${messageLabel(m)} used ${uidText(m.affectedSopClass)}; the answer ${statusText(fin)} means the SCP does not support that SOP class, i.e. this information model (PS3.7 Annex C; PS3.4 C.6). It accepted the presentation context but cannot serve the model.`,
        fix: `Use an information model ${q(fin.from)} supports, e.g. ${other}: ${setting('informationModel', scu)}.`,
      });
      continue;
    }
    const identifier = m.identifier;
    if (!identifier || !model) continue;
    const level = typeof identifier['QueryRetrieveLevel'] === 'string' ? (identifier['QueryRetrieveLevel'] as string).trim() : null;
    const levels = LEVELS[model];
    const at = levels.findIndex(([l]) => l === level);
    const failed = fin?.statusCategory === 'failure';
    const severity: Severity = failed ? 'error' : 'warning';
    if (code === 0xa900 && fin) {
      out.push({
        rule: 'query.identifier-mismatch', severity: 'error', evidence, time: fin.time,
        title: `${q(fin.from)} says the identifier of the ${commandOf(m)} does not match ${MODEL_NAMES[model]} (0xA900)`,
        text: `The ${messageLabel(m)} asked at level ${q(level)} with ${keysText(identifier)}; the answer ${statusText(fin)} means the keys or the level do not fit the ${MODEL_NAMES[model]} information model (PS3.4 C.6).${fin.offendingElements?.length ? ` Offending elements: ${fin.offendingElements.join(', ')}.` : ''}${fin.errorComment ? ` Error Comment: ${q(fin.errorComment)}.` : ''}`,
        fix: `Query at a level of ${MODEL_NAMES[model]} (${levels.map(([l]) => l).join(', ')}) with its keys, or use another information model: ${setting('informationModel', scu)}.`,
      });
      continue;
    }
    if (at < 0) {
      out.push({
        rule: 'query.level-not-in-model', severity, evidence, time: m.time,
        title: `${commandOf(m)} at Query/Retrieve Level ${q(level)}, which ${MODEL_NAMES[model]} does not have`,
        text: `The ${messageLabel(m)} uses ${uidText(m.affectedSopClass)} with Query/Retrieve Level (0008,0052) ${q(level)}; ${MODEL_NAMES[model]} has the levels ${levels.map(([l]) => l).join(', ')} (PS3.4 C.6).${fin ? ` The answer was ${statusText(fin)}.` : ''}`,
        fix: `Use one of those levels, or the information model that has ${q(level)}: ${setting('informationModel', scu)}.`,
      });
      continue;
    }
    if (m.commandField === CommandField.CFindRq) continue;
    const problems = retrieveKeyProblems(identifier, levels, at, UNIQUE_KEYS[model]);
    if (problems.length === 0) continue;
    out.push({
      rule: 'retrieve.non-unique-key', severity, evidence, time: fin?.time ?? m.time,
      title: `${commandOf(m)} at ${level} level by non-unique keys: ${problems[0]}`,
      text: `The ${messageLabel(m)} (${MODEL_NAMES[model]}) asks to retrieve at level ${level} with ${keysText(identifier)}: ${problems.join('; ')}. In a hierarchical retrieve the identifier names what to send by the unique key of its level (one value or a list of UIDs, no wildcards) and the unique keys of the levels above; other attributes are not matching keys there (PS3.4 C.2.2.1.1, C.4.2.2.1, C.4.3.2.1). Only an SCP that negotiated relational retrieve accepts less.${fin ? ` The answer was ${statusText(fin)}${fin.statusCategory !== 'failure' && (fin.completed ?? 0) + (fin.failed ?? 0) + (fin.warning ?? 0) === 0 ? ': nothing was retrieved (0 sub-operations)' : ''}.` : ''}`,
      fix: `Find the UIDs first with a C-FIND, then retrieve by them: at ${level} level give ${levels.slice(0, at + 1).map(([, k]) => k).join(' and ')}${scu === 'dcmtk' ? ` (DCMTK: -k QueryRetrieveLevel=${level} -k ${levels[at][1]}= with the UID the C-FIND returned)` : scu === 'pacscope' ? ` (pacscope: -k ${levels[at][1]}= with the UID the C-FIND returned)` : ''}.`,
    });
  }
}

function keysText(identifier: Record<string, unknown>): string {
  const keys = Object.entries(identifier).filter(([k]) => !NOT_KEYS.has(k));
  return keys.length ? list(keys.map(([k, v]) => `${k}=${q(Array.isArray(v) ? v.join('\\') : String(v ?? ''))}`), 6) : 'no keys';
}

function retrieveKeyProblems(identifier: Record<string, unknown>, levels: readonly [string, string][], at: number, unique: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const raw = identifier[levels[at][1]];
  const value = (Array.isArray(raw) ? raw.join('\\') : raw === null || raw === undefined ? '' : String(raw)).trim();
  const [level, key] = levels[at];
  // Only the level's own unique key decides: many SCPs retrieve by StudyInstanceUID without the PatientID above it (Patient Root).
  if (!(key in identifier) || value === '') problems.push(`${key}, the unique key of the ${level} level, is ${key in identifier ? 'empty' : 'missing'}`);
  else if (/[*?]/.test(value)) problems.push(`${key}=${q(value)} has wildcards, which a unique key may not have`);
  if (problems.length === 0) return problems;
  const others = Object.keys(identifier).filter((k) => !NOT_KEYS.has(k) && !unique.has(k));
  if (others.length) problems.push(`${list(others)} ${others.length > 1 ? 'are not unique keys' : 'is not a unique key'}, so the SCP does not match on ${others.length > 1 ? 'them' : 'it'}`);
  return problems;
}

export const queryModelRules: RuleFamily = {
  name: 'query-model',
  catalogue: [
    { id: 'query.information-model-not-supported', severity: 'error', summary: 'C-FIND/C-MOVE/C-GET answered 0x0122: the SCP does not support the information model used' },
    { id: 'query.identifier-mismatch', severity: 'error', summary: 'C-FIND/C-MOVE/C-GET answered 0xA900: identifier does not match the information model' },
    { id: 'query.level-not-in-model', severity: 'warning', summary: 'A Query/Retrieve Level the information model has not (e.g. PATIENT in Study Root)' },
    { id: 'retrieve.non-unique-key', severity: 'warning', summary: 'C-MOVE/C-GET without the unique key of its level, or with wildcards in it (error when the retrieve failed)' },
  ],
  run,
};

/** For tests and the UI: the unique key of a level in a model. */
export function uniqueKeyOf(sopClass: string, level: string): string | null {
  const model = modelOf(sopClass);
  return model ? (LEVELS[model].find(([l]) => l === level)?.[1] ?? null) : null;
}
