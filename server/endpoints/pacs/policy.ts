/**
 * The AE-title policy of an SCP, like a real PACS's: the A-ASSOCIATE-RJ it
 * sends (PS3.8 §9.3.4, Table 9-21), or null to go on.
 * - called AE title not ours: 1/1/7 (rejected-permanent, service-user,
 *   called-AE-title-not-recognized);
 * - calling AE title not known: 1/1/3 (calling-AE-title-not-recognized).
 */
import type { AePolicy } from './config.ts';

export interface AssociateReject {
  result: 1 | 2;
  source: 1 | 2 | 3;
  reason: number;
}

export const REJECT_CALLED_AE_NOT_RECOGNIZED: AssociateReject = Object.freeze({ result: 1, source: 1, reason: 7 });
export const REJECT_CALLING_AE_NOT_RECOGNIZED: AssociateReject = Object.freeze({ result: 1, source: 1, reason: 3 });

/** AE titles compare without their space padding (PS3.5 §6.2: leading and trailing spaces are not significant). */
export const sameAe = (a: string, b: string): boolean => a.trim() === b.trim();

export function checkAssociation(policy: AePolicy, ourAe: string, calledAe: string, callingAe: string, knownCallers: Iterable<string>): AssociateReject | null {
  if (policy === 'any') return null;
  if (!sameAe(calledAe, ourAe)) return REJECT_CALLED_AE_NOT_RECOGNIZED;
  if (policy === 'known' && ![...knownCallers].some((k) => sameAe(k, callingAe))) return REJECT_CALLING_AE_NOT_RECOGNIZED;
  return null;
}
