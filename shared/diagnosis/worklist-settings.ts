/**
 * Where the worklist and MPPS settings live on each product a fix may name,
 * as data, in the manner of peer-settings.ts (docs/architecture.md §10): the
 * values from the wire filled in, the identified product's setting only,
 * the generic wording (said as such) otherwise. DCMTK's worklist SCP,
 * wlmscpfs, is told apart here: within the DCMTK family (products.ts) it is
 * the SCP that accepts the Modality Worklist model and is neither Orthanc
 * nor dcmqrscp (which serves Query/Retrieve only).
 *
 * Checked against DCMTK 3.6.7 (wlmscpfs --help, findscu --help, its
 * wlistdb/README) and Orthanc 1.10's ModalityWorklists plugin (Debian's
 * /usr/share/orthanc/plugins/libModalityWorklists.so, /etc/orthanc/worklists.json).
 */
import { GENERIC_NOTE } from './peer-settings.ts';
import { PRODUCTS, type ProductId } from './products.ts';

/** A product a worklist fix may name: the products of products.ts and DCMTK wlmscpfs. */
export type WorklistProduct = ProductId | 'wlmscpfs';

export interface WorklistValues {
  /** The key's path as DCMTK's -k writes it, and the value to use. */
  PATH?: string;
  VALUE?: string;
  /** An AE title (the station, the SCP). */
  AE?: string | null;
}

type Template = (v: WorklistValues) => string;

const json = (s: string | null | undefined): string => JSON.stringify(s ?? '');
const key = (v: WorklistValues): string => `-k "${v.PATH ?? ''}=${v.VALUE ?? ''}"`;

const SETTINGS = {
  /** The value of a matching key the modality sends (PATH, VALUE: the one that finds the items). */
  queryKey: {
    generic: (v: WorklistValues) => `set the modality's worklist query key ${v.PATH} to ${json(v.VALUE)}`,
    products: {
      dcmtk: (v: WorklistValues) => `findscu -W ${key(v)}`,
      pacscope: (v: WorklistValues) => `pacscope find -W ${key(v)}${v.PATH?.endsWith('ScheduledStationAETitle') ? ` (pacscope mpps create -W asks for its --aet: --aet ${v.VALUE})` : ''}`,
    } as Partial<Record<WorklistProduct, Template>>,
  },
  /** The Scheduled Station AE Title the worklist SCP schedules for (AE). */
  scheduledStation: {
    generic: (v: WorklistValues) => `schedule the exams for ${json(v.AE)} on the worklist SCP (the RIS's table of modalities)`,
    products: {
      wlmscpfs: (v: WorklistValues) => `ScheduledStationAETitle (0040,0001) ${json(v.AE)} in the worklist files (*.wl, made with dump2dcm) of the called AE title's folder under wlmscpfs -dfp`,
      orthanc: (v: WorklistValues) => `ScheduledStationAETitle (0040,0001) ${json(v.AE)} in the *.wl files of the ModalityWorklists plugin's "Worklists": {"Database": …} folder`,
      pacscope: () => "the built-in PACS's synthetic worklist schedules CT for \"CT1\" and MR for \"MR1\" (server/endpoints/pacs/worklist-items.ts): query as one of them",
    } as Partial<Record<WorklistProduct, Template>>,
  },
  /** Serve the Modality Worklist model at all. */
  worklistService: {
    generic: () => 'send worklist queries to the worklist SCP (usually the RIS: check the called AE title, host and port), or enable the Modality Worklist service on this SCP',
    products: {
      orthanc: () => '"Plugins": ["/usr/share/orthanc/plugins/libModalityWorklists.so"] and "Worklists": {"Enable": true, "Database": "/var/lib/orthanc/worklists"} in orthanc.json',
      dcmqrscp: () => 'nothing: dcmqrscp serves Query/Retrieve only; run DCMTK wlmscpfs (worklist files in its -dfp folder) as the worklist SCP and query it',
      storescp: () => 'nothing: storescp is a storage SCP; send worklist queries to the worklist SCP (check the called AE title and port)',
      pacscope: () => 'pacscope serve: its built-in PACS serves the worklist (check the called AE title and port)',
    } as Partial<Record<WorklistProduct, Template>>,
  },
  /** Let a calling AE title query the worklist (AE: the caller). */
  worklistCallers: {
    generic: (v: WorklistValues) => `allow ${json(v.AE)} to query the worklist on the SCP`,
    products: {
      orthanc: (v: WorklistValues) => `"DicomAlwaysAllowFindWorklist": true in orthanc.json, or "AllowFindWorklist": true in the DicomModalities entry of ${json(v.AE)}`,
    } as Partial<Record<WorklistProduct, Template>>,
  },
  /** Serve MPPS at all. */
  mppsService: {
    generic: () => 'send MPPS to the MPPS SCP (usually the RIS: check the called AE title, host and port), or enable the Modality Performed Procedure Step service on this SCP',
    products: {
      orthanc: () => 'nothing: Orthanc 1.10 has no MPPS SCP; send MPPS to the RIS (or another MPPS SCP)',
      dcmqrscp: () => 'nothing: dcmqrscp has no MPPS SCP; send MPPS to the RIS (or another MPPS SCP)',
      storescp: () => 'nothing: storescp is a storage SCP; send MPPS to the MPPS SCP (check the called AE title and port)',
      wlmscpfs: () => 'nothing: wlmscpfs serves the worklist only; send MPPS to the MPPS SCP',
      pacscope: () => 'pacscope serve: its built-in PACS accepts MPPS (check the called AE title and port)',
    } as Partial<Record<WorklistProduct, Template>>,
  },
  /** The one MPPS SCP a modality reports a procedure step to (AE). */
  mppsDestination: {
    generic: (v: WorklistValues) => `configure the modality with one MPPS SCP, ${json(v.AE)}, for both N-CREATE and N-SET of a procedure step`,
    products: {
      pacscope: (v: WorklistValues) => `pacscope mpps create and set with the same --aec ${v.AE ?? ''} and address`,
    } as Partial<Record<WorklistProduct, Template>>,
  },
} as const;

export type WorklistSettingName = keyof typeof SETTINGS;

const NAMES: Readonly<Record<WorklistProduct, string>> = { ...Object.fromEntries(Object.values(PRODUCTS).map((p) => [p.id, p.name])), wlmscpfs: 'DCMTK wlmscpfs' } as Record<WorklistProduct, string>;

/** How to make `name` so on `product` ("DCMTK tools: findscu -W -k …"), or the generic wording, said as such. */
export function worklistSetting(name: WorklistSettingName, product: WorklistProduct | null, values: WorklistValues = {}): string {
  const s = SETTINGS[name];
  const t = product ? s.products[product] : undefined;
  if (!t) return `${s.generic(values)} ${product ? `(${NAMES[product]} has no setting for this)` : GENERIC_NOTE}`;
  return `${NAMES[product!]}: ${t(values)}`;
}
