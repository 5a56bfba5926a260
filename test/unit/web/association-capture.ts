/**
 * Test helper: summaries of one association as the real decoder builds them
 * (encoded PDUs → wire events → summarize), so the reject, abort and close
 * values the web code reads are the ones it meets: accepted and released,
 * rejected with any result/source/reason, aborted by either side, closed or
 * reset without release, refused.
 */
import type { WireEvent } from '../../../shared/capture/wire-event.ts';
import { summarize } from '../../../shared/model/summarize.ts';
import type { Summary } from '../../../shared/model/summary-types.ts';
import {
  encodeAAbort,
  encodeAAssociateAc,
  encodeAAssociateRj,
  encodeAAssociateRq,
  encodeAReleaseRp,
  encodeAReleaseRq,
  type PresentationContextAcSpec,
} from '../../../shared/pdu/encode.ts';

export const UID = {
  verification: '1.2.840.10008.1.1',
  ct: '1.2.840.10008.5.1.4.1.1.2',
  studyFind: '1.2.840.10008.5.1.4.1.2.2.1',
  studyMove: '1.2.840.10008.5.1.4.1.2.2.2',
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
} as const;

/** The A-ASSOCIATE-RQ of every capture: 4 contexts, a role selection, user identity, async window. */
export const rq = encodeAAssociateRq({
  callingAeTitle: 'WORKSTATION',
  calledAeTitle: 'PACS',
  presentationContexts: [
    { id: 1, abstractSyntax: UID.verification, transferSyntaxes: [UID.implicit] },
    { id: 3, abstractSyntax: UID.studyFind, transferSyntaxes: [UID.explicit, UID.implicit] },
    { id: 5, abstractSyntax: UID.studyMove, transferSyntaxes: [UID.explicit, UID.implicit] },
    { id: 7, abstractSyntax: UID.ct, transferSyntaxes: [UID.explicit] },
  ],
  userInformation: {
    maxLength: 16384,
    implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7',
    implementationVersionName: 'OFFIS_DCMTK_367',
    asyncOperationsWindow: { maxInvoked: 1, maxPerformed: 1 },
    roleSelections: [{ sopClassUid: UID.ct, scuRole: false, scpRole: true }],
    userIdentityRq: { identityType: 2, positiveResponseRequested: true, primaryField: 'alice', secondaryField: 'secret' },
  },
});

const answers: PresentationContextAcSpec[] = [
  { id: 1, result: 0, transferSyntax: UID.implicit },
  { id: 3, result: 0, transferSyntax: UID.explicit },
  { id: 5, result: 0, transferSyntax: UID.explicit },
  { id: 7, result: 3 },
];

/** The A-ASSOCIATE-AC: 3 of 4 contexts accepted, the SCP role granted, the identity accepted. */
export const ac = encodeAAssociateAc({
  callingAeTitle: 'WORKSTATION',
  calledAeTitle: 'PACS',
  presentationContexts: answers,
  userInformation: {
    maxLength: 32768,
    implementationClassUid: '1.2.826.0.1.3680043.2.1545.1',
    implementationVersionName: 'PACSCOPE',
    roleSelections: [{ sopClassUid: UID.ct, scuRole: false, scpRole: true }],
    userIdentityAc: { serverResponse: '' },
  },
});

type Side = 'requestor' | 'acceptor';
export type Step = [Side, Uint8Array] | ['close', Side, 'fin' | 'reset'];

const ep = (port: number) => ({ host: '10.0.0.1', port });

function events(steps: Step[]): WireEvent[] {
  const out: WireEvent[] = [{ kind: 'open', conn: 1, time: 1000, requestor: ep(40000), acceptor: { host: '10.0.0.2', port: 104 } }];
  let t = 1000;
  for (const s of steps) {
    t += 5;
    if (s[0] === 'close') out.push({ kind: 'close', conn: 1, time: t, from: s[1], how: s[2] });
    else out.push({ kind: 'data', conn: 1, time: t, from: s[0], bytes: s[1] });
  }
  return out;
}

export const capture = (steps: Step[]): Promise<Summary> => summarize([events(steps)], { path: 'test', format: 'test' });

export const released = () =>
  capture([['requestor', rq], ['acceptor', ac], ['requestor', encodeAReleaseRq()], ['acceptor', encodeAReleaseRp()], ['close', 'requestor', 'fin'], ['close', 'acceptor', 'fin']]);

export const rejected = (result: number, source: number, reason: number) =>
  capture([['requestor', rq], ['acceptor', encodeAAssociateRj({ result, source, reason })], ['close', 'acceptor', 'fin'], ['close', 'requestor', 'fin']]);

export const aborted = (by: Side, source: number, reason: number) =>
  capture([['requestor', rq], ['acceptor', ac], [by, encodeAAbort({ source, reason })], ['close', by, 'fin']]);

export const closed = (how: 'fin' | 'reset') =>
  capture(how === 'fin' ? [['requestor', rq], ['acceptor', ac], ['close', 'requestor', 'fin'], ['close', 'acceptor', 'fin']] : [['requestor', rq], ['acceptor', ac], ['close', 'acceptor', 'reset']]);

/** The A-ASSOCIATE-RQ only: the acceptor never answered. */
export const unanswered = () => capture([['requestor', rq]]);

export const refused = () =>
  summarize([[{ kind: 'refused', conn: 9, time: 1000, requestor: ep(40001), acceptor: { host: '10.0.0.3', port: 11112 }, reason: 'connection refused (RST)' }]], { path: 'test', format: 'test' });
