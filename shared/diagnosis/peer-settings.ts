/**
 * Where a setting lives on each product a fix may name (products.ts) — data,
 * declared once, so that every fix names the same option the same way, with
 * the values the capture knows (docs/architecture.md §10): AE titles, hosts,
 * ports, SOP classes. A fix names the setting of the one product identified
 * (identify.ts); when none is, the generic wording, said as such.
 *
 * Checked against Orthanc 1.10 (its orthanc.json), DCMTK 3.6.7 (dcmqrscp.cfg,
 * the tools' --help), PixelMed 20220618 (the property names of its
 * NetworkApplicationProperties and NetworkApplicationInformation: Dicom.CallingAETitle,
 * Dicom.RemoteAEs.<name>.CalledAETitle, …) and pacscope's own options.
 */
import { PRODUCTS, type ProductId } from './products.ts';

/** What a setting's text may name; null/undefined when the capture does not know it. */
export interface SettingValues {
  /** The AE title concerned (a caller, the SCP's own title, the title to use). */
  AE?: string | null;
  /** A move destination's AE title. */
  DEST?: string | null;
  /** Host and port of the AE concerned (where it listens). */
  HOST?: string | null;
  PORT?: number | null;
  SOP?: string | null;
  SECONDS?: number | null;
  /** A maximum PDU length. */
  N?: number | null;
}

type Template = (v: SettingValues) => string;

/** A DICOM string JSON-quoted (as in orthanc.json): it comes from the wire. */
const json = (s: string | null | undefined): string => JSON.stringify(s ?? '');
/** A DICOM string as a bare token on a command line or in dcmqrscp.cfg, quoted when it is not a plain token. */
const tok = (s: string | null | undefined): string => (s && /^[A-Za-z0-9_.\-]+$/.test(s) ? s : JSON.stringify(s ?? ''));
/** A name for a table entry: lower case [a-z0-9_]. */
const symbol = (ae: string | null | undefined): string => {
  const s = (ae ?? '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return s === '' ? 'peer' : /^[0-9]/.test(s) ? `ae_${s}` : s;
};
const known = (v: SettingValues): boolean => !!v.HOST && typeof v.PORT === 'number';
/** "127.0.0.1:11113", or words when the capture does not know where it listens. */
const address = (v: SettingValues, ae: string | null | undefined): string =>
  known(v) ? `${v.HOST}:${v.PORT}` : `the host and port where ${json(ae)} listens (no association to it is in this capture)`;
/** Orthanc's DicomModalities entry. */
const orthancEntry = (ae: string | null | undefined, v: SettingValues): string =>
  known(v)
    ? `"DicomModalities": {${json(symbol(ae))}: [${json(ae)}, ${json(v.HOST)}, ${v.PORT}]}`
    : `an entry [${json(ae)}, host, port] in "DicomModalities" with ${address(v, ae)}`;
/** dcmqrscp's HostTable line. */
const hostTableLine = (ae: string | null | undefined, v: SettingValues): string =>
  known(v) ? `the HostTable line "${symbol(ae)} = (${tok(ae)}, ${v.HOST}, ${v.PORT})"` : `a HostTable line "${symbol(ae)} = (${tok(ae)}, …)" with ${address(v, ae)}`;
const seconds = (v: SettingValues): number => v.SECONDS ?? 60;
/** Said after a generic fix. */
export const GENERIC_NOTE = '(generic fix: the product was not identified from the capture)';

interface Setting {
  /** When no product is identified. */
  generic: Template;
  products: Partial<Record<ProductId, Template>>;
}

/** Setting name → how each product does it. */
export const SETTINGS = Object.freeze({
  /** The AE title an SCP answers to (AE: that title). */
  scpOwnAe: {
    generic: (v) => `set the SCP's own AE title to ${json(v.AE)} in its configuration`,
    products: {
      orthanc: (v) => `"DicomAet": ${json(v.AE)} in orthanc.json`,
      dcmqrscp: (v) => `an AETable line for ${tok(v.AE)} in dcmqrscp.cfg`,
      storescp: (v) => `storescp --aetitle ${tok(v.AE)}`,
      pacscope: (v) => `pacscope serve --pacs ${tok(v.AE)}@${v.HOST ?? '127.0.0.1'}:${v.PORT ?? 11112} (or --store for the store SCP)`,
      pixelmed: (v) => `Dicom.CalledAETitle=${tok(v.AE)} in its properties file`,
    },
  },
  /** The called AE title an SCU puts in its A-ASSOCIATE-RQ (AE: the title to call). */
  scuCalledAe: {
    generic: (v) => `set the called AE title of the SCU to ${json(v.AE)}`,
    products: {
      dcmtk: (v) => `-aec ${tok(v.AE)} on the DCMTK tool's command line`,
      orthanc: (v) => `the AE title ${json(v.AE)} in Orthanc's "DicomModalities" entry for this peer`,
      pacscope: (v) => `pacscope echo/find/move/get/store --aec ${tok(v.AE)} (or the called AE of the operations panel)`,
      pixelmed: (v) => `Dicom.RemoteAEs.${symbol(v.AE)}.CalledAETitle=${tok(v.AE)} in its properties file`,
    },
  },
  /** The calling AE title an SCU puts in its A-ASSOCIATE-RQ (AE: the title to use). */
  scuCallingAe: {
    generic: (v) => `set the calling AE title of the SCU to ${json(v.AE)}`,
    products: {
      dcmtk: (v) => `-aet ${tok(v.AE)} on the DCMTK tool's command line`,
      orthanc: (v) => `"DicomAet": ${json(v.AE)} in orthanc.json`,
      pacscope: (v) => `--aet ${tok(v.AE)} (or the calling AE of the operations panel)`,
      pixelmed: (v) => `Dicom.CallingAETitle=${tok(v.AE)} in its properties file`,
    },
  },
  /** Accept any called AE title. */
  calledAeCheckOff: {
    generic: () => `make the SCP accept any called AE title, if it can`,
    products: {
      orthanc: () => '"DicomCheckCalledAet": false in orthanc.json',
      dcmqrscp: () => 'nothing: dcmqrscp answers only the titles of its AETable lines',
      storescp: () => 'nothing: storescp accepts any called AE title unless started with --aetitle and strict checks',
      pacscope: () => 'pacscope serve --ae-policy any (or the PACS panel\'s AE policy)',
    },
  },
  /** Register a calling AE title at an SCP (AE: the caller, HOST/PORT: where it listens). */
  knownCaller: {
    generic: (v) => `add ${json(v.AE)} from ${v.HOST ?? 'its host'} to the SCP's list of known peers`,
    products: {
      orthanc: (v) => `${orthancEntry(v.AE, v.PORT === undefined || v.PORT === null ? { ...v, PORT: 104 } : v)} in orthanc.json${v.PORT === undefined || v.PORT === null ? ' (the port matters only when Orthanc connects to it)' : ''}`,
      dcmqrscp: (v) => `${hostTableLine(v.AE, v.PORT === undefined || v.PORT === null ? { ...v, PORT: 104 } : v)} in dcmqrscp.cfg and ${symbol(v.AE)} (or ANY) in the peers column of the AETable line of the called AE${v.PORT === undefined || v.PORT === null ? ' (the port matters only when dcmqrscp connects to it)' : ''}`,
      pacscope: (v) => `"knownCallers": [${json(v.AE)}] in the pacscope serve --config file (or --ae-policy called)`,
      pixelmed: (v) => `Dicom.RemoteAEs.${symbol(v.AE)}.CalledAETitle=${tok(v.AE)} with its HostNameOrIPAddress ${v.HOST ?? ''} in its properties file`,
    },
  },
  /** Let unknown callers query and retrieve. */
  allowUnknownCallers: {
    generic: () => `allow unknown callers to query and retrieve`,
    products: {
      orthanc: () => '"DicomAlwaysAllowFind", "DicomAlwaysAllowMove" and "DicomAlwaysAllowGet": true in orthanc.json (or "AllowFind"/"AllowMove"/"AllowGet" on the caller\'s DicomModalities entry)',
      dcmqrscp: () => 'ANY in the peers column of the AETable line in dcmqrscp.cfg',
      pacscope: () => 'pacscope serve --ae-policy any',
    },
  },
  /** Register a move destination at the C-MOVE SCP (DEST, HOST/PORT where it listens). */
  moveDestination: {
    generic: (v) => `add ${json(v.DEST)} at ${address(v, v.DEST)} to the PACS's table of move destinations (remote AEs)`,
    products: {
      orthanc: (v) => `${orthancEntry(v.DEST, v)} in orthanc.json`,
      dcmqrscp: (v) => `${hostTableLine(v.DEST, v)} between "HostTable BEGIN" and "HostTable END" in dcmqrscp.cfg`,
      pacscope: (v) => (known(v) ? `pacscope serve --dest ${tok(v.DEST)}=${v.HOST}:${v.PORT} (or the PACS panel's destinations)` : `pacscope serve --dest ${tok(v.DEST)}= with ${address(v, v.DEST)} (or the PACS panel's destinations)`),
      pixelmed: (v) => `Dicom.RemoteAEs.${symbol(v.DEST)}.CalledAETitle=${tok(v.DEST)} with its HostNameOrIPAddress and Port (${address(v, v.DEST)}) in its properties file`,
    },
  },
  /** Storage SOP classes a store SCP accepts (SOP: the class refused). */
  storeSopClasses: {
    generic: (v) => `make the store SCP accept ${v.SOP ?? 'the SOP classes of the instances'}`,
    products: {
      storescp: (v) => `storescp with an association profile (-xf followed by the configuration file and the profile name) whose PresentationContexts list ${v.SOP ?? 'the classes to receive'}, or -pm (promiscuous) for classes it does not know`,
      orthanc: () => '"UnknownSopClassAccepted": true in orthanc.json (Orthanc accepts the standard storage classes)',
      dcmqrscp: () => 'dcmqrscp accepts the storage classes DCMTK knows; for others, a newer DCMTK',
      pacscope: (v) => `"storeSopClasses" in the pacscope serve --config file${v.SOP ? ` with ${json(v.SOP)} added` : ''} (leave it out to accept every storage class)`,
    },
  },
  /** Transfer syntaxes a store SCP accepts. */
  storeTransferSyntaxes: {
    generic: () => `make the store SCP accept one of the proposed transfer syntaxes`,
    products: {
      storescp: () => 'storescp +xa (accept all supported transfer syntaxes) or the TransferSyntaxes of its -xf profile',
      orthanc: () => '"AcceptedTransferSyntaxes" in orthanc.json',
      pacscope: () => '"storeTransferSyntaxes" in the pacscope serve --config file',
    },
  },
  /** The final C-MOVE response after the sub-operations. */
  synchronousMove: {
    generic: () => `make the PACS send its final C-MOVE response only after the sub-operations`,
    products: {
      orthanc: () => '"SynchronousCMove": true in orthanc.json',
      pacscope: () => 'pacscope serve --move-mode sync (or the PACS panel\'s move mode)',
    },
  },
  /** How long an SCU waits for a DIMSE response. */
  scuTimeout: {
    generic: (v) => `give the SCU a DIMSE timeout of ${seconds(v)} s or more`,
    products: {
      dcmtk: (v) => `-td ${seconds(v)} (--dimse-timeout; DCMTK's default is unlimited) on the DCMTK tool's command line`,
      pacscope: (v) => `--timeout ${seconds(v)} on the pacscope command`,
      orthanc: (v) => `"DicomScuTimeout": ${seconds(v)} in orthanc.json`,
    },
  },
  /** An SCU that is its own move destination must listen (DEST, PORT where it should). */
  moveScuListens: {
    generic: (v) => `run a store SCP for ${json(v.DEST)} and register its address at the PACS`,
    products: {
      dcmtk: (v) => `movescu --port ${v.PORT ?? '(the port the PACS has for it)'} (its own storage SCP), the PACS's entry for ${json(v.DEST)} pointing at that port`,
      pacscope: (v) => `pacscope serve (its store SCP), registered at the PACS as ${json(v.DEST)}`,
    },
  },
  /** SCP role for the storage classes of a C-GET (PS3.7 D.3.3.4); SOP: the class to retrieve. */
  getScpRole: {
    generic: (v) => `have the C-GET SCU propose ${v.SOP ?? 'the storage SOP class'} with an SCP/SCU Role Selection item (SCP role)`,
    products: {
      dcmtk: (v) => `getscu proposes the storage classes it knows with the SCP role; for ${v.SOP ?? 'another class'}, give it an association profile (-xf followed by the configuration file and the profile name) that lists it`,
      pacscope: (v) => (v.SOP ? `pacscope get --sop-class ${tok(v.SOP)} (proposed with the SCP role)` : 'pacscope get with one --sop-class per SOP class of the instances (each proposed with the SCP role)'),
      orthanc: () => 'Orthanc proposes the SOP classes of what it retrieves itself',
    },
  },
  /** Query/Retrieve information model of the SCU. */
  informationModel: {
    generic: () => `have the SCU use Study Root or Patient Root`,
    products: {
      dcmtk: () => '-S (Study Root) or -P (Patient Root) on the DCMTK tool\'s command line',
      pacscope: () => '-S / -P (--model study|patient) on the pacscope command',
    },
  },
  /** Maximum PDU length a side receives (PS3.8 D.1); N: the length to announce. */
  maxPdu: {
    generic: (v) => `raise the receiver's maximum PDU length${v.N ? ` to ${v.N}` : ''}`,
    products: {
      dcmtk: (v) => `-pdu ${v.N ?? 16384} on the DCMTK tool's command line`,
      storescp: (v) => `storescp -pdu ${v.N ?? 16384}`,
      dcmqrscp: (v) => `MaxPDUSize = ${v.N ?? 16384} in dcmqrscp.cfg`,
      orthanc: (v) => `"MaximumPduLength": ${v.N ?? 16384} in orthanc.json`,
      pacscope: (v) => `--max-pdu ${v.N ?? 16384}`,
    },
  },
  /** The TCP port an SCP listens on (PORT: the one it should). */
  scpPort: {
    generic: (v) => `start the SCP on port ${v.PORT ?? '?'}, or call the port it listens on`,
    products: {
      orthanc: (v) => `"DicomPort": ${v.PORT} in orthanc.json`,
      dcmqrscp: (v) => `NetworkTCPPort = ${v.PORT} in dcmqrscp.cfg (or its port argument)`,
      storescp: (v) => `storescp's port argument ${v.PORT}`,
      pacscope: (v) => `pacscope serve --pacs ${v.AE ? `${tok(v.AE)}@` : ''}${v.HOST ?? '127.0.0.1'}:${v.PORT} (or --store for the store SCP)`,
    },
  },
  /** How many associations an SCP serves at once. */
  maxAssociations: {
    generic: () => `raise the SCP's limit of simultaneous associations`,
    products: {
      dcmqrscp: () => 'MaxAssociations in dcmqrscp.cfg',
    },
  },
  /** Storage commitment: the SCP's AE table entry for the SCU it reports to (DEST: the SCU's AE, HOST/PORT where it listens; PS3.4 J.3.3.1.2). */
  commitReportAddress: {
    generic: (v) => `give the storage commitment SCP an entry for ${json(v.DEST)} at ${address(v, v.DEST)} in its table of remote AEs (where it sends the N-EVENT-REPORT)`,
    products: {
      orthanc: (v) => `${orthancEntry(v.DEST, v)} in orthanc.json (Orthanc reports to the modality of the N-ACTION's calling AE title, on a new association)`,
      pacscope: (v) => (known(v) ? `pacscope serve --dest ${tok(v.DEST)}=${v.HOST}:${v.PORT} (its AE table, shared with C-MOVE)` : `pacscope serve --dest ${tok(v.DEST)}= with ${address(v, v.DEST)}`),
    },
  },
  /** Storage commitment: the SCU listens for the report association and accepts the SCP role proposed on it (AE, PORT; PS3.4 J.3.3.1.3, PS3.7 D.3.3.4). */
  commitScuListens: {
    generic: (v) => `make the storage commitment SCU ${json(v.AE)} accept, on its own port${v.PORT ? ` ${v.PORT}` : ''}, an association proposing the Storage Commitment Push Model with the SCP role for the requestor (SCP/SCU Role Selection)`,
    products: {
      pacscope: (v) => `pacscope commit --port ${v.PORT ?? 'N'}${v.AE ? ` --listen-aet ${tok(v.AE)}` : ''} (it accepts the SCP role unless --refuse-scp-role is given)`,
      orthanc: () => 'Orthanc accepts the report on its DICOM port ("DicomPort"); its "DicomModalities" must list the storage commitment SCP',
    },
  },
  /** Storage commitment: the SCU accepts associations from the SCP's calling AE (AE: the SCP's title). */
  commitScuKnowsScp: {
    generic: (v) => `add ${json(v.AE)} to the AEs the storage commitment SCU accepts associations from`,
    products: {
      pacscope: (v) => `pacscope commit --accept-aet ${tok(v.AE)} (or leave --accept-aet out to accept any)`,
      orthanc: (v) => `${orthancEntry(v.AE, v)} in orthanc.json`,
    },
  },
  /** Storage commitment: where the SCP reports (same association, or a new one). */
  commitReportMode: {
    generic: () => 'have the storage commitment SCP report on a new association to the SCU (it may not count on the SCU keeping its association open, PS3.4 J.3.3.1.2)',
    products: {
      pacscope: () => 'pacscope serve --commit-report same-else-new (or new)',
      orthanc: () => 'nothing: Orthanc always reports on a new association',
    },
  },
} satisfies Record<string, Setting>);

export type SettingName = keyof typeof SETTINGS;

/** The product whose setting `setting()` names, by its name for a sentence ("Orthanc"), or null. */
export function productName(product: ProductId | null): string | null {
  return product ? PRODUCTS[product].name : null;
}

/**
 * How to make `name` so on `product`, the values filled in: "Orthanc:
 * "DicomModalities": {…} in orthanc.json", or the generic wording (said as
 * such) when the product is unknown or has no such setting.
 */
export function setting(name: SettingName, product: ProductId | null, values: SettingValues = {}): string {
  const s: Setting = SETTINGS[name];
  const t = product ? s.products[product] : undefined;
  if (!t) return `${s.generic(values)} ${product ? `(${PRODUCTS[product].name} has no setting for this)` : GENERIC_NOTE}`;
  return `${PRODUCTS[product!].name}: ${t(values)}`;
}
