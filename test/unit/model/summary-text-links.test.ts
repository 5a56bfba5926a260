/** `pacscope summary` (text) shows the correlator's links: sub-association → C-MOVE, C-GET sub-operations, C-CANCEL. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/model/summarize.ts';
import { formatSummary } from '../../../shared/view/summary-text.ts';
import { DimseScript, MOVE, msg } from './dimse-script.ts';

describe('summary text: links', () => {
  it('names the C-MOVE of a sub-association, the C-GET of its C-STOREs and what a C-CANCEL cancels', async () => {
    const s = new DimseScript();
    const main = s.associate('MOVESCU', 'PACS');
    s.send(main, 'requestor', msg.moveRq(1, 'STORESCP'));
    const sub = s.associate('PACS', 'STORESCP', 11112);
    s.send(sub, 'requestor', msg.storeRq(1, '1.2.3.1', ['MOVESCU', 1]));
    s.send(main, 'requestor', msg.cancelRq(1, MOVE));
    s.release(sub);
    s.send(main, 'acceptor', msg.moveRsp(1, 0xfe00, [0, 1, 0, 0]));
    s.release(main);
    const get = s.associate('GETSCU', 'PACS');
    s.send(get, 'requestor', msg.getRq(5));
    s.send(get, 'acceptor', msg.storeRq(1, '1.2.3.2'));
    const text = formatSummary(await summarize([s.events], { path: 'test', format: 'test' }), { pdus: false });
    expect(text).toMatch(/^a2 {2}PACS .* \(sub-association of a1 C-MOVE #1, by Move Originator\)$/m);
    expect(text).toMatch(/a2 PACS→STORESCP A-ASSOCIATE-RQ 6 context\(s\) \(sub-association of a1 C-MOVE #1, by Move Originator\)/);
    expect(text).toMatch(/a1 MOVESCU→PACS C-CANCEL-RQ \(rsp to #1\) \(cancels C-MOVE #1\)/);
    expect(text).toMatch(/a3 PACS→GETSCU C-STORE-RQ #1 .*\(sub-operation of C-GET #5\)/);
  });
});
