/**
 * Meanings of the result, source and reason codes of the DUL, declared once
 * as data: PS3.8 Table 9-18 (presentation context result), Table 9-21
 * (A-ASSOCIATE-RJ), Table 9-26 (A-ABORT) and PS3.7 Table D.3-14 (user
 * identity type). Codes not in a table get "unknown <field> <code>".
 */

type CodeTable = ReadonlyMap<number, string>;

const table = (entries: [number, string][]): CodeTable => Object.freeze(new Map(entries));

/** Presentation context result/reason, PS3.8 Table 9-18. */
export const PRESENTATION_CONTEXT_RESULTS: CodeTable = table([
  [0, 'acceptance'],
  [1, 'user-rejection'],
  [2, 'no-reason (provider rejection)'],
  [3, 'abstract-syntax-not-supported (provider rejection)'],
  [4, 'transfer-syntaxes-not-supported (provider rejection)'],
]);

/** A-ASSOCIATE-RJ result, PS3.8 Table 9-21. */
export const ASSOCIATE_RJ_RESULTS: CodeTable = table([
  [1, 'rejected-permanent'],
  [2, 'rejected-transient'],
]);

/** A-ASSOCIATE-RJ source, PS3.8 Table 9-21. */
export const ASSOCIATE_RJ_SOURCES: CodeTable = table([
  [1, 'DICOM UL service-user'],
  [2, 'DICOM UL service-provider (ACSE related function)'],
  [3, 'DICOM UL service-provider (Presentation related function)'],
]);

/** A-ASSOCIATE-RJ reason/diagnostic per source, PS3.8 Table 9-21. */
export const ASSOCIATE_RJ_REASONS: ReadonlyMap<number, CodeTable> = Object.freeze(
  new Map([
    [
      1,
      table([
        [1, 'no-reason-given'],
        [2, 'application-context-name-not-supported'],
        [3, 'calling-AE-title-not-recognized'],
        [4, 'reserved'],
        [5, 'reserved'],
        [6, 'reserved'],
        [7, 'called-AE-title-not-recognized'],
        [8, 'reserved'],
        [9, 'reserved'],
        [10, 'reserved'],
      ]),
    ],
    [
      2,
      table([
        [1, 'no-reason-given'],
        [2, 'protocol-version-not-supported'],
      ]),
    ],
    [
      3,
      table([
        [0, 'reserved'],
        [1, 'temporary-congestion'],
        [2, 'local-limit-exceeded'],
        [3, 'reserved'],
        [4, 'reserved'],
        [5, 'reserved'],
        [6, 'reserved'],
        [7, 'reserved'],
      ]),
    ],
  ]),
);

/** A-ABORT source, PS3.8 Table 9-26. */
export const ABORT_SOURCES: CodeTable = table([
  [0, 'DICOM UL service-user (initiated abort)'],
  [1, 'reserved'],
  [2, 'DICOM UL service-provider (initiated abort)'],
]);

/** A-ABORT reason/diagnostic, significant only when the source is 2, PS3.8 Table 9-26. */
export const ABORT_REASONS: CodeTable = table([
  [0, 'reason-not-specified'],
  [1, 'unrecognized-PDU'],
  [2, 'unexpected-PDU'],
  [3, 'reserved'],
  [4, 'unrecognized-PDU parameter'],
  [5, 'unexpected-PDU parameter'],
  [6, 'invalid-PDU-parameter value'],
]);

/** User identity type, PS3.7 Annex D.3.3.7 (Table D.3-14). */
export const USER_IDENTITY_TYPES: CodeTable = table([
  [1, 'username'],
  [2, 'username and passcode'],
  [3, 'Kerberos service ticket'],
  [4, 'SAML assertion'],
  [5, 'JSON Web Token (JWT)'],
]);

function lookup(t: CodeTable, code: number, what: string): string {
  return t.get(code) ?? `unknown ${what} ${code}`;
}

export const presentationContextResultText = (result: number): string => lookup(PRESENTATION_CONTEXT_RESULTS, result, 'result');
export const associateRjResultText = (result: number): string => lookup(ASSOCIATE_RJ_RESULTS, result, 'result');
export const associateRjSourceText = (source: number): string => lookup(ASSOCIATE_RJ_SOURCES, source, 'source');

/** The reason's meaning depends on the source (PS3.8 Table 9-21). */
export function associateRjReasonText(source: number, reason: number): string {
  const t = ASSOCIATE_RJ_REASONS.get(source);
  return t ? lookup(t, reason, 'reason') : `unknown reason ${reason} (unknown source ${source})`;
}

export const abortSourceText = (source: number): string => lookup(ABORT_SOURCES, source, 'source');

/** The reason is significant only for a service-provider abort (source 2), PS3.8 §9.3.8. */
export function abortReasonText(source: number, reason: number): string {
  if (source === 2) return lookup(ABORT_REASONS, reason, 'reason');
  return reason === 0 ? 'not significant' : `not significant (reason ${reason} given)`;
}

export const userIdentityTypeText = (type: number): string => lookup(USER_IDENTITY_TYPES, type, 'user identity type');
