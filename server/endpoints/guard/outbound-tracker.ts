/**
 * The operations of an association as the gate sees them (PS3.7 §9.3): the
 * requests handed to the SCP and not yet finally answered (a response whose
 * status is not Pending ends one, PS3.7 Annex C), whether each was cancelled
 * (one C-CANCEL-RQ per operation is handed on), and the requests the SCP
 * itself sent on the association (the C-STORE-RQs of a C-GET, PS3.4
 * C.4.3.3) whose responses the peer owes. Read from the command sets the
 * SCP writes, not from the library's objects (docs/architecture.md §1).
 */
import { decodeCommandSet } from '../../../shared/dimse/command.ts';
import { pdvItems } from '../../../shared/pdu/acceptor-checks.ts';

/** Pending and Pending-with-warnings, PS3.7 Annex C.4. */
const PENDING = new Set([0xff00, 0xff01]);
/** Requests of our own tracked at most (a C-GET sends one at a time). */
const MAX_OWN = 1024;

export class OutboundTracker {
  /** Message ID → Command Field of the requests being performed. */
  readonly outstanding = new Map<number, number>();
  /** Message IDs of requests this side sent, waiting for their responses. */
  readonly ownRequests = new Set<number>();
  private readonly cancelled = new Set<number>();
  private readonly commandParts = new Map<number, Uint8Array[]>();

  open(messageId: number, commandField: number): void {
    this.outstanding.set(messageId, commandField);
    this.cancelled.delete(messageId);
  }

  /** True when a C-CANCEL-RQ for `messageId` is to be handed on: its operation runs, is cancellable and not cancelled yet. */
  cancellable(messageId: number, cancellable: ReadonlySet<number>): boolean {
    const field = this.outstanding.get(messageId);
    return field !== undefined && cancellable.has(field) && !this.cancelled.has(messageId);
  }

  /** The C-CANCEL-RQ for `messageId` is handed on: any further one is dropped. */
  markCancelled(messageId: number): void {
    this.cancelled.add(messageId);
  }

  /** A P-DATA-TF the SCP writes: its command sets end operations or start requests of our own. */
  sent(pdu: Uint8Array): void {
    const items = pdvItems(pdu);
    if (!Array.isArray(items)) return;
    for (const item of items) {
      if (!item.isCommand) continue;
      const parts = this.commandParts.get(item.presentationContextId) ?? [];
      parts.push(pdu.subarray(item.start, item.start + item.length));
      if (!item.isLast) {
        this.commandParts.set(item.presentationContextId, parts);
        continue;
      }
      this.commandParts.delete(item.presentationContextId);
      const bytes = parts.length === 1 ? parts[0] : Uint8Array.from(parts.flatMap((p) => [...p]));
      const { message } = decodeCommandSet(bytes, 0, item.presentationContextId);
      if (!message) continue;
      if (message.isResponse) {
        if (message.respondsTo !== null && (message.status === null || !PENDING.has(message.status))) {
          this.outstanding.delete(message.respondsTo);
          this.cancelled.delete(message.respondsTo);
        }
      } else if (message.messageId !== null && this.ownRequests.size < MAX_OWN) this.ownRequests.add(message.messageId);
    }
  }
}
