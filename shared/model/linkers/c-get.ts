/**
 * C-GET sub-operations: a C-STORE-RQ sent by the *acceptor* of an
 * association while a C-GET runs there is a sub-operation of that C-GET —
 * the C-STOREs come on the same association, in the other direction (PS3.7
 * §9.1.3, PS3.4 C.4.3). With several C-GETs outstanding (asynchronous
 * operations window, PS3.7 D.3.3.3) nothing on the wire says which one a
 * C-STORE serves: the oldest still running, as an SCP works through them in
 * order. Its C-STORE-RSP shares the cause (the correlator gives a response
 * its request's cause).
 */
import { CommandField } from '../../dimse/command-fields.ts';
import type { Linker, MessageFacts, MessageLinkResult } from './linker.ts';

export class GetLinker implements Linker {
  readonly relations = [{ relation: 'c-get', label: 'sub-operation of', section: 'PS3.4 C.4.3.3' }] as const;
  /** Per association: C-GET-RQs sent by the requestor and not finished yet, oldest first. */
  private readonly running = new Map<string, number[]>();

  message(f: MessageFacts): MessageLinkResult | null {
    const m = f.message;
    if (m.commandField === CommandField.CGetRq && f.side === 'requestor') {
      const list = this.running.get(f.association);
      if (list) list.push(f.index);
      else this.running.set(f.association, [f.index]);
    } else if (f.completed !== null && m.commandField === CommandField.CGetRsp) {
      const list = this.running.get(f.association);
      const at = list ? list.indexOf(f.completed) : -1;
      if (list && at >= 0) list.splice(at, 1);
    } else if (m.commandField === CommandField.CStoreRq && f.side === 'acceptor') {
      const get = this.running.get(f.association)?.[0];
      if (get !== undefined) return { cause: { relation: 'c-get', message: get } };
    }
    return null;
  }

  end(association: string): void {
    this.running.delete(association);
  }
}
