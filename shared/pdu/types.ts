/**
 * Upper-layer (DUL) PDUs as decoded from the wire: PS3.8 §9.3, with the
 * user-information sub-items of PS3.8 Annex D and PS3.7 Annex D.3.3.
 *
 * Every decoded structure carries `offset`: the stream offset (bytes since the
 * first byte of that direction of the connection) where it starts, so a view
 * can point at the bytes that prove it. Opaque values are kept as lowercase
 * hex strings so that the model is plain JSON.
 */

/** PDU types, PS3.8 §9.3.1 Table 9-10 (and the headings of §9.3.2–§9.3.7). */
export const PduType = Object.freeze({
  AAssociateRq: 0x01,
  AAssociateAc: 0x02,
  AAssociateRj: 0x03,
  PDataTf: 0x04,
  AReleaseRq: 0x05,
  AReleaseRp: 0x06,
  AAbort: 0x07,
} as const);
export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

/** Item types of the variable fields, PS3.8 §9.3.2–§9.3.3 and Annex D. */
export const ItemType = Object.freeze({
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaximumLength: 0x51,
  ImplementationClassUid: 0x52,
  AsynchronousOperationsWindow: 0x53,
  ScpScuRoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  SopClassExtendedNegotiation: 0x56,
  SopClassCommonExtendedNegotiation: 0x57,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const);

/** An item the decoder does not know (or that is not allowed where it stands): kept whole. */
export interface UnknownItem {
  itemType: number;
  offset: number;
  /** The item value (after its 4-byte header), hex. */
  value: string;
}

/** Presentation context item as proposed, PS3.8 §9.3.2.2. */
export interface PresentationContextRq {
  id: number;
  offset: number;
  /** null when the item has no abstract syntax sub-item (malformed, reported as an error too). */
  abstractSyntax: string | null;
  transferSyntaxes: string[];
}

/** Presentation context item as answered, PS3.8 §9.3.3.2, result per Table 9-18. */
export interface PresentationContextAc {
  id: number;
  offset: number;
  /** 0 acceptance, 1 user-rejection, 2 no-reason (provider rejection), 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
  result: number;
  resultText: string;
  /** The one transfer syntax chosen; only significant when result is 0. */
  transferSyntax: string | null;
}

/** SCP/SCU role selection sub-item, PS3.7 Annex D.3.3.4. */
export interface RoleSelection {
  offset: number;
  sopClassUid: string;
  scuRole: boolean;
  scpRole: boolean;
}

/** SOP class extended negotiation sub-item, PS3.7 Annex D.3.3.5 (the info is service specific). */
export interface SopClassExtendedNegotiation {
  offset: number;
  sopClassUid: string;
  /** Service-class application information, hex. */
  info: string;
}

/** SOP class common extended negotiation sub-item, PS3.7 Annex D.3.3.6. */
export interface SopClassCommonExtendedNegotiation {
  offset: number;
  sopClassUid: string;
  serviceClassUid: string;
  relatedGeneralSopClasses: string[];
}

/**
 * User identity negotiation, PS3.7 Annex D.3.3.7. Secrets never enter the
 * model: only a username (types 1 and 2) is kept in clear; passcodes, Kerberos
 * tickets, SAML assertions and JWTs are kept as their lengths.
 */
export interface UserIdentityRq {
  offset: number;
  /** 1 username, 2 username and passcode, 3 Kerberos, 4 SAML, 5 JWT. */
  identityType: number;
  identityTypeText: string;
  positiveResponseRequested: boolean;
  /** The username for types 1 and 2, otherwise null. */
  username: string | null;
  primaryFieldLength: number;
  secondaryFieldLength: number;
}

export interface UserIdentityAc {
  offset: number;
  serverResponseLength: number;
}

/** User information item, PS3.8 §9.3.2.3 / §9.3.3.3 with the sub-items of PS3.8 Annex D and PS3.7 Annex D.3.3. */
export interface UserInformation {
  offset: number;
  /** Maximum length received (0 = no limit), PS3.8 Annex D.1. null when absent. */
  maxLength: number | null;
  implementationClassUid: string | null;
  implementationVersionName: string | null;
  /** PS3.7 Annex D.3.3.3. */
  asyncOperationsWindow: { maxInvoked: number; maxPerformed: number } | null;
  roleSelections: RoleSelection[];
  sopClassExtended: SopClassExtendedNegotiation[];
  sopClassCommonExtended: SopClassCommonExtendedNegotiation[];
  userIdentityRq: UserIdentityRq | null;
  userIdentityAc: UserIdentityAc | null;
  unknownItems: UnknownItem[];
}

interface PduBase {
  /** Stream offset of the PDU's first byte. */
  offset: number;
  /** Whole PDU length in bytes, header (6 bytes) included. */
  length: number;
}

/** A-ASSOCIATE-RQ, PS3.8 §9.3.2. */
export interface AAssociateRq extends PduBase {
  pduType: 0x01;
  name: 'A-ASSOCIATE-RQ';
  protocolVersion: number;
  /** Trailing spaces removed; leading spaces are significant (PS3.8 §9.3.2) and kept. */
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string | null;
  presentationContexts: PresentationContextRq[];
  userInformation: UserInformation | null;
  unknownItems: UnknownItem[];
}

/** A-ASSOCIATE-AC, PS3.8 §9.3.3. The AE title fields echo the RQ (not to be tested, but shown). */
export interface AAssociateAc extends PduBase {
  pduType: 0x02;
  name: 'A-ASSOCIATE-AC';
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string | null;
  presentationContexts: PresentationContextAc[];
  userInformation: UserInformation | null;
  unknownItems: UnknownItem[];
}

/** A-ASSOCIATE-RJ, PS3.8 §9.3.4, Table 9-21. */
export interface AAssociateRj extends PduBase {
  pduType: 0x03;
  name: 'A-ASSOCIATE-RJ';
  /** 1 rejected-permanent, 2 rejected-transient. */
  result: number;
  resultText: string;
  /** 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation). */
  source: number;
  sourceText: string;
  reason: number;
  /** Meaning of `reason`, which depends on `source`. */
  reasonText: string;
}

/** One PDV item header of a P-DATA-TF, PS3.8 §9.3.5.1 and Annex E.2 (message control header). */
export interface PdvHeader {
  /** Stream offset of the PDV item (its 4-byte length field). */
  offset: number;
  /** Item length: presentation context id + message control header + value. */
  itemLength: number;
  presentationContextId: number;
  /** Bit 0 of the message control header: 1 command, 0 data set. */
  isCommand: boolean;
  /** Bit 1 of the message control header: last fragment. */
  isLast: boolean;
  /** Value length (itemLength − 2). */
  valueLength: number;
}

/** P-DATA-TF, PS3.8 §9.3.5. Values are not held here: they flow to the reassembler as `pdv` framer events. */
export interface PDataTf extends PduBase {
  pduType: 0x04;
  name: 'P-DATA-TF';
  pdvs: PdvHeader[];
}

/** A-RELEASE-RQ, PS3.8 §9.3.6. */
export interface AReleaseRq extends PduBase {
  pduType: 0x05;
  name: 'A-RELEASE-RQ';
}

/** A-RELEASE-RP, PS3.8 §9.3.7. */
export interface AReleaseRp extends PduBase {
  pduType: 0x06;
  name: 'A-RELEASE-RP';
}

/** A-ABORT, PS3.8 §9.3.8, Table 9-26. */
export interface AAbort extends PduBase {
  pduType: 0x07;
  name: 'A-ABORT';
  /** 0 service-user, 1 reserved, 2 service-provider. */
  source: number;
  sourceText: string;
  /** Only significant when source is 2: PS3.8 Table 9-26. */
  reason: number;
  reasonText: string;
}

export type Pdu = AAssociateRq | AAssociateAc | AAssociateRj | PDataTf | AReleaseRq | AReleaseRp | AAbort;
export type PduName = Pdu['name'];

/** A problem in the bytes: where, and why. Never thrown: returned as data (principle 5). */
export interface DecodeProblem {
  offset: number;
  reason: string;
}

/**
 * What the framer returns for one `push(chunk)`, in stream order. A P-DATA-TF
 * gives its PDV value bytes as `pdv` pieces as they arrive (so memory stays
 * bounded whatever the PDU length), then one `pdu` event when the PDU is whole.
 */
export type FramerEvent =
  | { kind: 'pdu'; pdu: Pdu }
  | {
      kind: 'pdv';
      header: PdvHeader;
      /** Stream offset of bytes[0]. */
      offset: number;
      /** A slice of the PDV value (may be a view into the caller's chunk: copy to keep). */
      bytes: Uint8Array;
      /** True on the last piece of this PDV's value. */
      end: boolean;
    }
  | { kind: 'error'; offset: number; reason: string; /** Bytes skipped to resynchronise, if any. */ skipped?: number };
