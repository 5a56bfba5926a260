/**
 * Which AE titles to try after an A-ASSOCIATE-RJ, and why (pure). The reject
 * reason decides (PS3.8 §7.1.1.9, Table 9-21):
 * - 1/1/7 called AE title not recognised, or no reason given: variants of the
 *   called AE title — upper case (most products compare case-sensitively),
 *   trimmed, the two titles swapped (--aet and --aec mixed up), the titles
 *   products ship with, and a leading blank (PS3.5 §6.2 says blanks are not
 *   significant, but some peers compare the 16 bytes as they are);
 * - 1/1/3 calling AE title not recognised: only the swap can explain it; the
 *   fix is on the peer, which must know the caller;
 * - anything else (transient rejects: congestion, local limit; a protocol
 *   version or application context not supported): no variant explains it.
 */
import { DEFAULT_AE_TITLES, MAX_VARIANT_ATTEMPTS } from './tables.ts';

export interface AeVariant {
  calledAeTitle: string;
  callingAeTitle: string;
  /** Why it is worth a try, for the report. */
  why: string;
}

export interface RejectCodes {
  result: number;
  source: number;
  reason: number;
}

/** A title dcmjs-dimse can send (PS3.5 Table 6.2-1: 1–16 characters, no backslash or control characters, not all blank). */
export function isSendableAe(ae: string): boolean {
  return ae.trim() !== '' && ae.length <= 16 && !/[\\\x00-\x1f\x7f]/.test(ae);
}

export const isCalledAeReject = (r: RejectCodes): boolean => r.source === 1 && (r.reason === 7 || r.reason === 1);
export const isCallingAeReject = (r: RejectCodes): boolean => r.source === 1 && r.reason === 3;

/** The variants to try for this reject, in order, at most `max` (≤ 8), none equal to what was sent. */
export function aeVariants(calledAeTitle: string, callingAeTitle: string, reject: RejectCodes, max = MAX_VARIANT_ATTEMPTS): AeVariant[] {
  const out: AeVariant[] = [];
  const seen = new Set<string>([`${calledAeTitle}\n${callingAeTitle}`]);
  const add = (called: string, calling: string, why: string) => {
    const key = `${called}\n${calling}`;
    if (!isSendableAe(called) || !isSendableAe(calling) || seen.has(key)) return;
    seen.add(key);
    out.push({ calledAeTitle: called, callingAeTitle: calling, why });
  };
  const swap = () => add(callingAeTitle, calledAeTitle, 'the calling and called AE titles swapped');
  if (isCallingAeReject(reject)) {
    swap();
  } else if (isCalledAeReject(reject)) {
    add(calledAeTitle.toUpperCase(), callingAeTitle, 'upper case');
    add(calledAeTitle.trim(), callingAeTitle, 'without leading or trailing blanks');
    swap();
    for (const ae of DEFAULT_AE_TITLES) {
      if (ae.trim().toUpperCase() === calledAeTitle.trim().toUpperCase()) continue;
      add(ae, callingAeTitle, `a product default (${ae})`);
    }
    add(` ${calledAeTitle.trim()}`.slice(0, 16), callingAeTitle, 'with a leading blank (a peer that compares the padded bytes)');
  }
  return out.slice(0, Math.max(0, Math.min(max, MAX_VARIANT_ATTEMPTS)));
}
