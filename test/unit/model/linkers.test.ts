/**
 * The linkers (shared/model/linkers/): every linker file is registered, the
 * storage commitment and MPPS links are found through the whole pipeline
 * (wire events → decoder → summary), including a report on an association
 * the SCP opens back; and a new linker is one file plus its registration:
 * one written here, handed to the builder, links messages of the summary
 * with no other change anywhere.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SessionDecoder } from '../../../shared/model/session-decoder.ts';
import { SummaryBuilder } from '../../../shared/model/summary-builder.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import { CommandField } from '../../../shared/dimse/command-fields.ts';
import type { Linker, MessageFacts, MessageLinkResult } from '../../../shared/model/linkers/linker.ts';
import { defaultLinkers, relationInfo } from '../../../shared/model/linkers/registry.ts';
import { DimseScript, msg } from './dimse-script.ts';

function run(script: DimseScript, linkers?: Linker[]): Summary {
  const decoder = new SessionDecoder();
  const builder = new SummaryBuilder({ path: 'test', format: 'test' }, null, linkers);
  for (const ev of script.events) for (const d of decoder.push(ev)) builder.apply(d);
  for (const d of decoder.finish()) builder.apply(d);
  return builder.result();
}

const NO_DATA_STATUS = (respondsTo: number, commandField: number, sopClass: string) => ({
  sopClass,
  command: [[0x0002, 'UI', sopClass], [0x0100, 'US', [commandField]], [0x0120, 'US', [respondsTo]], [0x0800, 'US', [0x0101]], [0x0900, 'US', [0]]] as [number, string, never][],
});

describe('linkers', () => {
  it('every linker file is in the registry, and every relation reads in words', () => {
    const files = readdirSync(new URL('../../../shared/model/linkers/', import.meta.url)).filter((f) => f.endsWith('.ts') && f !== 'linker.ts' && f !== 'registry.ts');
    const registered = defaultLinkers();
    expect(registered).toHaveLength(files.length);
    for (const linker of registered) for (const r of linker.relations) expect(relationInfo(r.relation)?.label).toMatch(/\w/);
  });

  it('storage commitment: the report on a new association the SCP opens back is linked by Transaction UID, association and message', () => {
    const s = new DimseScript();
    const modality = s.associate('MODALITY', 'PACS');
    s.send(modality, 'requestor', msg.commitRq(1, '1.2.3.4.5'));
    s.send(modality, 'acceptor', NO_DATA_STATUS(1, CommandField.NActionRsp, '1.2.840.10008.1.20.1'));
    s.release(modality);
    s.wait(500);
    const back = s.associate('PACS', 'MODALITY', 4104);
    s.send(back, 'requestor', msg.commitReport(1, '1.2.3.4.5'));
    s.send(back, 'acceptor', NO_DATA_STATUS(1, CommandField.NEventReportRsp, '1.2.840.10008.1.20.1'));
    s.release(back);
    const summary = run(s);
    expect(summary.errors).toEqual([]);
    const action = summary.messages.findIndex((m) => m.commandField === CommandField.NActionRq);
    const report = summary.messages.findIndex((m) => m.commandField === CommandField.NEventReportRq);
    expect(summary.messages[action]).toMatchObject({ actionTypeId: 1, requestedSopClass: '1.2.840.10008.1.20.1' });
    expect(summary.messages[report]).toMatchObject({ eventTypeId: 1, cause: { relation: 'storage-commitment', message: action } });
    expect(summary.messages[report + 1].cause).toEqual({ relation: 'storage-commitment', message: action });
    expect(summary.associations[1].cause).toEqual({ relation: 'storage-commitment', association: 'a1', message: action, evidence: 'transaction-uid' });
  });

  it('MPPS: the N-SET that completes a procedure step is linked to its N-CREATE, across associations', () => {
    const s = new DimseScript();
    const first = s.associate('MODALITY', 'RIS');
    s.send(first, 'requestor', msg.mppsCreate(1, '1.2.9.1'));
    s.release(first);
    const second = s.associate('MODALITY', 'RIS');
    s.send(second, 'requestor', msg.mppsSet(1, '1.2.9.1'));
    s.send(second, 'requestor', msg.mppsSet(2, '1.2.9.99')); // another instance: no link
    s.release(second);
    const summary = run(s);
    expect(summary.messages.map((m) => m.cause)).toEqual([null, { relation: 'mpps', message: 0 }, null]);
    expect(summary.associations.map((a) => a.cause)).toEqual([null, null]);
  });

  it('a new linker is one file plus its registration: one defined here links without a change elsewhere', () => {
    /** "Echo pairs": a C-ECHO-RQ is caused by the previous one on another association of the same calling AE. */
    class EchoPairLinker implements Linker {
      readonly relations = [{ relation: 'echo-pair', label: 'repeats', section: 'PS3.7 §9.1.5' }] as const;
      private last: number | null = null;
      message(f: MessageFacts): MessageLinkResult | null {
        if (f.message.commandField !== CommandField.CEchoRq) return null;
        const previous = this.last;
        this.last = f.index;
        return previous === null ? null : { cause: { relation: 'echo-pair', message: previous } };
      }
    }
    const s = new DimseScript();
    for (let i = 0; i < 2; i++) {
      const a = s.associate('ECHOSCU', 'PACS');
      s.send(a, 'requestor', { sopClass: '1.2.840.10008.5.1.4.1.2.2.2', command: [[0x0100, 'US', [0x0030]], [0x0110, 'US', [1]], [0x0800, 'US', [0x0101]]] });
      s.release(a);
    }
    const summary = run(s, [...defaultLinkers(), new EchoPairLinker()]);
    expect(summary.messages.map((m) => m.cause)).toEqual([null, { relation: 'echo-pair', message: 0 }]);
    // Without it, the same session has no such link.
    expect(run(s).messages.map((m) => m.cause)).toEqual([null, null]);
  });
});
