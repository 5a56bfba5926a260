/**
 * dcmjs-dimse, loaded the one way that works: it is a UMD bundle, so named
 * ESM imports type-check but fail at run time (docs/architecture.md, "Known traps").
 * Every file that needs it imports from here.
 */
import dimse from 'dcmjs-dimse';

export default dimse;
export type * from 'dcmjs-dimse';
