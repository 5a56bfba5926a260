/**
 * The associations a doctor run opened (pacscope's own probes), so that the
 * findings panel keeps them apart from the user's traffic (shared/diagnosis:
 * DiagnoseOptions.probes, Finding.origin). Every step names the associations
 * that prove it (hub-evidence.ts); their union is the run's. Sub-associations
 * its C-MOVE caused (PS3.4 C.4.2) follow through the correlator's links, in
 * the diagnosis.
 */
import type { DoctorStep } from './types.ts';

/** Every association id of these steps, in order, once. */
export function probeAssociations(steps: readonly DoctorStep[]): string[] {
  return [...new Set(steps.flatMap((s) => s.associations))];
}
