/**
 * The gate in front of dcmjs-dimse on one accepted connection. Every PDU the
 * peer sends is framed (pdu-reader.ts), judged on its header before its body
 * is held, checked against PS3.8 (shared/pdu/acceptor-checks.ts) and run
 * through the upper layer state machine (shared/pdu/state-machine.ts, Table
 * 9-10); what fails is answered here as the table says (A-ASSOCIATE-RJ, or
 * A-ABORT with the source and reason of Table 9-26), recorded, and never
 * handed on. What the library writes goes through the same table. DIMSE
 * messages are checked by message-guard.ts and paced by delivery-queue.ts.
 * Timers (PS3.8 §9.1.5): ARTIM until the A-ASSOCIATE-RQ and after a reject,
 * release or abort; the SCP's answer within the same time; an idle
 * association, or one whose peer stops reading, is aborted after
 * `dimseTimeout`.
 */
import type net from 'node:net';
import { PDU_NAMES } from '../../../shared/pdu/decode.ts';
import { encodeAAbort, encodeAAssociateRj, encodePDataTf } from '../../../shared/pdu/encode.ts';
import { abortFor, receivedPduEvent, sentPduEvent, transition, SENDS_ABORT, type UlEvent, type UlState } from '../../../shared/pdu/state-machine.ts';
import { checkAssociateRq, checkPduHeader, negotiated, pdvItems } from '../../../shared/pdu/acceptor-checks.ts';
import { CANCELLABLE } from '../../../shared/dimse/request-check.ts';
import { setCloseReason } from '../../sources/tap.ts';
import type { GuardContext, GuardedConnection } from './guard-context.ts';
import { LibrarySocket, type LibrarySide } from './library-socket.ts';
import { dropStaleCommandStream } from '../../dimse/scp.ts';
import type { Scp } from '../../dimse/library.ts';
import { MessageGuard } from './message-guard.ts';
import { DeliveryQueue, type Queued } from './delivery-queue.ts';
import { PduReader, type HeaderDecision } from './pdu-reader.ts';
import { OutboundTracker } from './outbound-tracker.ts';
import { runningGate } from './last-resort.ts';
import { WriteWatch } from './write-watch.ts';
import { ReadBudget } from './read-budget.ts';

export interface GateOptions {
  socket: net.Socket;
  context: GuardContext;
  /** "PACS 127.0.0.1:11112", for the record. */
  endpoint: string;
  /** The library's SCP on its socket, made when an A-ASSOCIATE-RQ is handed on. */
  createScp(socket: LibrarySocket, gate: AssociationGate): Scp;
  /** The first bytes from the peer: the connection is tapped into the capture from here (an idle connection is only counted). */
  firstBytes(chunk: Uint8Array): void;
}

export class AssociationGate implements GuardedConnection, LibrarySide {
  /** PS3.8 Table 9-10 state; Sta2 once the connection is accepted (AE-5). */
  state: UlState = 'Sta2';
  private readonly socket: net.Socket;
  /** Whether the peer reads what is sent. */
  private readonly writes: WriteWatch;
  private readonly ctx: GuardContext;
  private readonly inbound = new PduReader();
  private readonly outbound = new PduReader();
  private readonly peer: string;
  private lib: LibrarySocket | null = null;
  private scp: Scp | null = null;
  private messages: MessageGuard | null = null;
  private readonly tracker = new OutboundTracker();
  private proposed = new Map<number, string>();
  private readonly queue: DeliveryQueue;
  private readonly reading: ReadBudget;
  private tapped = false;
  private associated = false;
  private closed = false;
  private finSent = false;
  private artimDeadline: number | null;
  private answerDeadline: number | null = null;
  private lastActivity = Date.now();
  /** The maximum length announced in our A-ASSOCIATE-AC (PS3.8 Annex D.1). */
  private announcedMax = 0;
  private window = 1;

  constructor(private readonly opts: GateOptions) {
    this.socket = opts.socket;
    this.writes = new WriteWatch(opts.socket);
    this.ctx = opts.context;
    this.reading = new ReadBudget(opts.socket, opts.context, this);
    this.peer = `${opts.socket.remoteAddress ?? '?'}:${opts.socket.remotePort ?? 0}`;
    this.artimDeadline = Date.now() + this.ctx.limits.acseTimeout * 1000; // AE-5: start ARTIM
    this.queue = new DeliveryQueue({
      isClosed: () => this.closed,
      rate: this.ctx.limits.maxMessagesPerSecond,
      mayOpen: () => this.tracker.outstanding.size < this.window,
      cancellable: (id) => this.tracker.cancellable(id, CANCELLABLE),
      hand: (d) => this.hand(d),
      record: (kind, what) => this.record(kind, what),
      later: (fn, ms = 0) => {
        const run = () => runningGate.run(this, fn);
        if (ms > 0) setTimeout(run, ms).unref();
        else setImmediate(run);
      },
    });
    this.ctx.add(this);
    this.socket.on('data', (chunk: Buffer) => runningGate.run(this, () => this.onData(chunk)));
    this.socket.on('error', () => {}); // the tap records it; 'close' follows
    this.socket.on('close', () => this.onClose());
  }

  // ——— what the peer sends ———

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (!this.tapped) {
      this.tapped = true;
      this.opts.firstBytes(chunk);
    }
    this.inbound.feed(chunk, this.inboundHandler);
    this.pump();
    if (this.queue.length > 0) this.reading.yieldTurn();
  }

  private readonly inboundHandler = {
    header: (type: number, reserved: number, length: number): HeaderDecision => {
      const bad = checkPduHeader(type, reserved, length, { maxAssociateBytes: this.ctx.limits.maxAssociateRqBytes, maxPDataLength: this.announcedMax || this.ctx.limits.maxPduReceive });
      const event: UlEvent = bad ? 'Evt19' : receivedPduEvent(type);
      const t = transition(this.state, event);
      if (t === null) return 'stop';
      if (t.action === 'AA-6') return 'skip';
      if (SENDS_ABORT.has(t.action)) {
        this.protocolAbort(event, bad?.abortReason, bad?.why ?? `${PDU_NAMES.get(type)} is unexpected in ${this.state} (PS3.8 Table 9-10)`);
        return 'stop';
      }
      return 'read';
    },
    pdu: (bytes: Uint8Array): boolean => {
      this.lastActivity = Date.now();
      return this.onPdu(bytes);
    },
  };

  private onPdu(bytes: Uint8Array): boolean {
    const event = receivedPduEvent(bytes[0]);
    if (event === 'Evt6') return this.onAssociateRq(bytes);
    if (event === 'Evt10') return this.onPData(bytes);
    const t = transition(this.state, event)!;
    if (event === 'Evt12' && t.action === 'AR-2') {
      this.state = t.next;
      this.queue.push({ kind: 'raw', bytes });
      return true;
    }
    if (event === 'Evt16') {
      // AA-3: the library hears of the abort, then the transport closes; AA-2 (Sta2, Sta13): it closes.
      if (t.action === 'AA-3' && this.lib) this.lib.deliver(bytes);
      this.record('abort', 'the peer sent A-ABORT');
      this.finish('A-ABORT received');
      return false;
    }
    // AR-3, AR-10: only after an A-RELEASE-RQ of ours, which these SCPs never send.
    this.finish(`${PDU_NAMES.get(bytes[0])} received`);
    return false;
  }

  private onAssociateRq(bytes: Uint8Array): boolean {
    const verdict = checkAssociateRq(bytes, { minPeerMaxPdu: this.ctx.limits.minPeerMaxPdu });
    if (verdict.kind === 'invalid') {
      this.protocolAbort('Evt19', verdict.abortReason, `A-ASSOCIATE-RQ: ${verdict.why}`);
      return false;
    }
    if (verdict.kind === 'reject') {
      this.reject(verdict.result, verdict.source, verdict.reason, verdict.why);
      return true;
    }
    if (!this.ctx.openAssociation()) {
      this.reject(2, 3, 2, `association limit (${this.ctx.limits.maxAssociations}) reached`);
      return true;
    }
    this.associated = true;
    this.artimDeadline = null; // AE-6: stop ARTIM
    this.state = 'Sta3';
    for (const pc of verdict.rq.presentationContexts) this.proposed.set(pc.id, pc.abstractSyntax ?? '');
    this.lib = new LibrarySocket(this, this.socket);
    try {
      this.scp = this.opts.createScp(this.lib, this);
    } catch (e) {
      this.internalFailure(e, 'creating the SCP');
      return false;
    }
    this.queue.push({ kind: 'raw', bytes });
    return true;
  }

  private onPData(bytes: Uint8Array): boolean {
    const items = pdvItems(bytes);
    if (!Array.isArray(items)) {
      this.protocolAbort('Evt19', items.abortReason, `P-DATA-TF: ${items.why}`);
      return false;
    }
    for (const d of this.messages!.push(bytes, items)) {
      if (d.kind === 'abort') {
        this.protocolAbort('Evt19', d.reason, d.why);
        return false;
      }
      if (d.kind === 'drop') this.record('dropped', d.why);
      else this.queue.push(d);
    }
    return true;
  }

  // ——— handing on, paced (delivery-queue.ts) ———

  private pump(): void {
    if (!this.closed) this.queue.pump();
    this.account();
  }

  /** What the queue hands on: to the library, or (a refused request) the gate's own answer. */
  private hand(d: Queued): number {
    if (d.kind === 'raw') {
      // The SCP answers an A-ASSOCIATE-RQ or A-RELEASE-RQ within ARTIM of getting it (the messages before it first).
      this.answerDeadline = Date.now() + this.ctx.limits.acseTimeout * 1000;
      this.lib?.deliver(d.bytes);
      return d.bytes.length;
    }
    if (d.kind === 'respond') {
      this.record('refused-request', d.why);
      this.sendOwn(encodePDataTf([{ presentationContextId: d.presentationContextId, isCommand: true, isLast: true, value: d.command }]));
      return 0;
    }
    if (d.cancels !== null) this.tracker.markCancelled(d.cancels);
    if (d.opens) this.tracker.open(d.opens.messageId, d.opens.commandField);
    if (d.answers !== null) this.tracker.ownRequests.delete(d.answers);
    if (d.pdvs[0]?.isCommand) dropStaleCommandStream(this.scp);
    const pdu = d.pdu ?? encodePDataTf(d.pdvs);
    this.lib?.deliver(pdu);
    return pdu.length;
  }

  /** Held bytes to the read budget (read-budget.ts): the socket is not read while too many wait. */
  private account(): void {
    if (!this.closed) this.reading.update(this.inbound.held + this.queue.bytes);
  }

  resume(): void {
    this.reading.resume();
  }

  // ——— what the library writes ———

  fromLibrary(bytes: Uint8Array): void {
    this.outbound.feed(bytes, this.outboundHandler);
  }

  private readonly outboundHandler = {
    header: (): HeaderDecision => 'read',
    pdu: (pdu: Uint8Array): boolean => {
      const event = sentPduEvent(pdu[0], true);
      const t = event && transition(this.state, event);
      if (!t || this.finSent) {
        this.record('dropped', `the SCP wrote ${PDU_NAMES.get(pdu[0]) ?? `PDU type ${pdu[0]}`} in ${this.state}: not sent (no such transition in PS3.8 Table 9-10)`);
        return true;
      }
      if (t.action === 'AE-7') this.accepted(pdu);
      else if (event === 'Evt9') {
        const before = this.tracker.outstanding.size;
        this.tracker.sent(pdu);
        if (this.tracker.outstanding.size < before) setImmediate(() => this.pump());
      }
      this.state = t.next;
      this.write(pdu);
      if (t.action === 'AE-8' || t.action === 'AR-4') this.associationOver(); // ARTIM until the peer closes
      else if (t.action === 'AA-1') this.finish('the SCP aborted the association');
      return true;
    },
  };

  /** Our A-ASSOCIATE-AC: the accepted contexts and the maximum length the peer may send (from the bytes sent, docs/architecture.md §1). */
  private accepted(pdu: Uint8Array): void {
    const settled = negotiated(pdu, this.proposed);
    this.announcedMax = settled.maxLength;
    this.window = settled.window;
    this.messages = new MessageGuard(settled.contexts, this.ctx.limits.maxIdentifierBytes, this.tracker.ownRequests);
    this.answerDeadline = null;
  }

  libraryClosed(): void {
    if (!this.closed && !this.finSent) this.finish('the SCP closed the connection');
  }

  // ——— answers of the gate itself ———

  private write(bytes: Uint8Array): void {
    this.lastActivity = Date.now();
    if (!this.closed && !this.finSent && this.socket.writable) this.socket.write(bytes);
  }

  /** A PDU the gate sends (not the library): through the state machine as a local primitive. */
  private sendOwn(pdu: Uint8Array): void {
    this.outboundHandler.pdu(pdu);
  }

  /** Evt19 or an unexpected PDU: the A-ABORT of AA-1, AA-7 or AA-8 (PS3.8 Table 9-10, Table 9-26), then close. */
  private protocolAbort(event: UlEvent, reason: number | undefined, why: string): void {
    const t = transition(this.state, event);
    if (t && SENDS_ABORT.has(t.action) && !this.finSent) {
      const a = abortFor(t.action, event, reason);
      this.write(encodeAAbort(a));
      this.record('abort', `${t.action} in ${this.state}, A-ABORT ${a.source}/${a.reason}: ${why}`);
    }
    this.finish(why);
  }

  /** AE-6 when the A-ASSOCIATE-RQ is not acceptable: A-ASSOCIATE-RJ, then ARTIM until the peer closes. */
  private reject(result: number, source: number, reason: number, why: string): void {
    this.write(encodeAAssociateRj({ result, source, reason }));
    this.record(result === 2 ? 'refused' : 'reject', `A-ASSOCIATE-RJ ${result}/${source}/${reason}: ${why}`);
    this.state = 'Sta13';
    this.associationOver();
    setCloseReason(this.socket, `A-ASSOCIATE-RJ ${result}/${source}/${reason}: ${why}`);
  }

  /** Evt15: a local A-ABORT (AA-1, service-user source), for a timeout or an SCP that failed. */
  private localAbort(kind: string, why: string): void {
    const t = transition(this.state, 'Evt15');
    if (t) {
      this.write(encodeAAbort(abortFor(t.action, 'Evt15')));
      this.record(kind, `A-ABORT 0/0: ${why}`);
      this.finish(why);
    } else this.drop(kind, why);
  }

  /** The SCP threw, or the library reported an error: this association ends, nothing else does. */
  internalFailure(error: unknown, where: string): void {
    if (this.closed || this.finSent) return;
    const message = error instanceof Error ? error.message : String(error);
    this.localAbort('internal-error', `internal error in ${where}: ${message}`);
  }

  /** Closes a connection that has no association yet (no PDU to answer with): reset, with the reason recorded. */
  private drop(kind: string, why: string): void {
    this.record(kind, why);
    setCloseReason(this.socket, why);
    this.closeNow(true);
  }

  evict(why: string): void {
    this.drop('evicted', why);
  }

  /** The association is over (A-ASSOCIATE-RJ, A-RELEASE-RP sent): wait for the peer to close, at most ARTIM. */
  private associationOver(): void {
    this.releaseAssociation();
    this.answerDeadline = null;
    this.artimDeadline = Date.now() + this.ctx.limits.acseTimeout * 1000;
    this.lib?.close();
  }

  /** Sta13 after an abort: our side closes now (FIN), the socket goes at ARTIM if the peer does not close. */
  private finish(why: string): void {
    this.state = 'Sta13';
    this.answerDeadline = null;
    this.inbound.stop();
    this.releaseAssociation();
    this.lib?.close();
    this.queue.clear();
    setCloseReason(this.socket, why);
    if (!this.finSent) {
      this.finSent = true;
      this.socket.end();
    }
    this.artimDeadline = Date.now() + this.ctx.limits.acseTimeout * 1000;
    this.account();
  }

  private releaseAssociation(): void {
    if (!this.associated) return;
    this.associated = false;
    this.ctx.closeAssociation();
  }

  /** Closes the socket now; the connection stops counting at once (the cap may need the room this instant). */
  private closeNow(reset: boolean): void {
    if (this.closed) return;
    if (reset && this.tapped && !this.socket.destroyed) this.socket.resetAndDestroy();
    else this.socket.destroy();
    this.onClose();
  }

  // ——— timers ———

  tick(now: number): void {
    if (this.closed) return;
    const L = this.ctx.limits;
    if (this.artimDeadline !== null && now >= this.artimDeadline) {
      // Evt18: AA-2 in Sta2 and Sta13, close the transport connection.
      if (this.state === 'Sta2') this.drop('artim', `ARTIM timer expired: no A-ASSOCIATE-RQ within ${L.acseTimeout} s (PS3.8 §9.1.5)`);
      else this.closeNow(false);
      return;
    }
    if (this.answerDeadline !== null && now >= this.answerDeadline) {
      this.localAbort('internal-error', `the SCP did not answer the ${this.state === 'Sta3' ? 'A-ASSOCIATE-RQ' : 'A-RELEASE-RQ'} within ${L.acseTimeout} s`);
      return;
    }
    if (this.state !== 'Sta6') return;
    if (this.writes.stalledFor(now) >= L.dimseTimeout * 1000) {
      this.record('idle', `the peer has not read for ${L.dimseTimeout} s (${this.socket.writableLength} bytes waiting): connection closed`);
      this.closeNow(true);
      return;
    }
    const waiting = this.tracker.outstanding.size === 0 || this.tracker.ownRequests.size > 0;
    if (waiting && now - this.lastActivity >= L.dimseTimeout * 1000) this.localAbort('idle', `no PDU for ${L.dimseTimeout} s (DIMSE timeout)`);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.tapped) this.record('silent', 'connection closed without a byte');
    this.releaseAssociation();
    this.lib?.close();
    this.queue.clear();
    this.inbound.stop();
    this.reading.close();
    this.ctx.remove(this);
  }

  private record(kind: string, what: string): void {
    if (kind === 'silent') {
      this.ctx.stats.counts.silent = (this.ctx.stats.counts.silent ?? 0) + 1;
      return;
    }
    this.ctx.stats.note({ time: Date.now(), endpoint: this.opts.endpoint, peer: this.peer, kind, what });
  }
}
