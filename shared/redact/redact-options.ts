/**
 * What a redaction is told (salt, date shift, network option) and what it
 * shares while it runs: the pseudonym maps, the date shift and the problems
 * found (bytes it could not read and therefore left out). One context serves
 * a whole file, so replacements are consistent across all its associations.
 */
import { Pseudonyms } from './pseudonyms.ts';
import { PROFILE_NAME, PROFILE_OPTIONS } from './profile.ts';

export interface RedactOptions {
  /** The key of every keyed hash. Never stored: with it the replacements could be checked against guesses. */
  salt: string;
  /** Days added to every date (negative: earlier); default derived from the salt (−3650 … −365). */
  dateShiftDays?: number;
  /** Also replace AE titles, IP addresses and ports (--redact-network). */
  network?: boolean;
}

export interface RedactProblem {
  /** Connection number of the wire events, null for the file as a whole. */
  conn: number | null;
  reason: string;
}

/** Problems kept per file (a broken capture can have one per PDU). */
const MAX_PROBLEMS = 200;

export class RedactContext {
  readonly pseudonyms: Pseudonyms;
  readonly dateShiftDays: number;
  readonly network: boolean;
  readonly problems: RedactProblem[] = [];
  /** Problems beyond MAX_PROBLEMS, counted only. */
  moreProblems = 0;

  constructor(options: RedactOptions) {
    this.pseudonyms = new Pseudonyms(options.salt);
    this.dateShiftDays = options.dateShiftDays ?? this.pseudonyms.defaultDateShift();
    this.network = options.network === true;
  }

  problem(conn: number | null, reason: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ conn, reason });
    else this.moreProblems++;
  }
}

/**
 * The metadata a redacted recording carries (docs/recording-format.md): the
 * profile and the options, never the salt nor the date shift, either of
 * which would help undo the redaction.
 */
export function redactionMetadata(options: RedactOptions): Record<string, unknown> {
  return {
    redacted: {
      profile: PROFILE_NAME,
      profileOptions: [...PROFILE_OPTIONS],
      uids: 'mapped to 2.25.<keyed hash>, consistently within the file',
      names: 'patient name, patient ID, accession number and study ID replaced by consistent pseudonyms',
      dates: 'shifted by a secret number of whole days',
      userIdentity: 'username pseudonymised, passcode and other secrets replaced by REDACTED',
      network: options.network === true ? 'AE titles, IP addresses and ports mapped' : 'AE titles, IP addresses and ports kept',
      privateAttributes: 'removed',
    },
  };
}
