/**
 * The linkers, in the order they run (each sees the messages after the
 * response matching; an order between them matters only if one reads what
 * another found, and none does). A new link between DICOM messages or
 * associations is one file in this folder and one line here.
 */
import type { Linker, RelationInfo } from './linker.ts';
import { MoveLinker } from './c-move.ts';
import { GetLinker } from './c-get.ts';
import { CancelLinker } from './c-cancel.ts';
import { StorageCommitmentLinker } from './storage-commitment.ts';
import { MppsLinker } from './mpps.ts';

/** A fresh set of the linkers (they keep state per session). */
export function defaultLinkers(): Linker[] {
  return [new MoveLinker(), new GetLinker(), new CancelLinker(), new StorageCommitmentLinker(), new MppsLinker()];
}

/** How every relation reads (the views' edge), by relation id. */
export function relationInfo(relation: string): RelationInfo | undefined {
  for (const linker of defaultLinkers()) for (const r of linker.relations) if (r.relation === relation) return r;
  return undefined;
}
