/**
 * The DICOM products whose settings a fix may name, and how to recognise
 * them on the wire — data, declared once. A product is told from the
 * Implementation Class UID and Implementation Version Name of its
 * A-ASSOCIATE-RQ/AC (PS3.7 D.3.3.2, D.3.3.3), its AE titles and ports, and
 * its behaviour (identify.ts). Several products share one implementation:
 * Orthanc 1.10, dcmqrscp and storescp all send DCMTK's class UID and
 * version name (observed: 1.2.276.0.7230010.3.0.3.6.7, OFFIS_DCMTK_367),
 * so within that family the behaviour decides.
 */

export type ProductId = 'orthanc' | 'dcmqrscp' | 'storescp' | 'dcmtk' | 'pacscope' | 'pixelmed';

/** An implementation (toolkit) the class UID names. */
export type Family = 'dcmtk' | 'dcmjs-dimse' | 'pixelmed' | 'dcm4che' | 'fo-dicom' | 'pynetdicom';

export interface FamilyInfo {
  family: Family;
  /** Root of the Implementation Class UID (PS3.7 D.3.3.2). */
  classUidRoot: string;
  /** Implementation Version Name when it is the family's own (PS3.7 D.3.3.3). */
  versionName: RegExp;
}

/** Implementations by Implementation Class UID root. Data. */
export const FAMILIES: readonly FamilyInfo[] = Object.freeze([
  { family: 'dcmtk', classUidRoot: '1.2.276.0.7230010.3', versionName: /^OFFIS_DCMTK_/ },
  { family: 'dcmjs-dimse', classUidRoot: '1.2.826.0.1.3680043.10.854', versionName: /^DCMJS-DIMSE/ },
  { family: 'pixelmed', classUidRoot: '1.3.6.1.4.1.5962.99.2', versionName: /^PIXELMEDJAVA/ },
  { family: 'dcm4che', classUidRoot: '1.2.40.0.13.1', versionName: /^dcm4che/i },
  { family: 'fo-dicom', classUidRoot: '1.3.6.1.4.1.30071.8', versionName: /^fo-dicom/i },
  { family: 'pynetdicom', classUidRoot: '1.2.826.0.1.3680043.9.3811', versionName: /^PYNETDICOM/i },
]);

export interface ProductInfo {
  id: ProductId;
  /** As a fix names it. */
  name: string;
  family: Family;
  /** AE titles it ships with or its documentation uses (a hint within its family). */
  defaultAes: readonly string[];
  /** The port it listens on by default (a weak hint). */
  defaultPorts: readonly number[];
  /** Where its settings live, for the fix's details. */
  configuredIn: string;
}

/** The products a fix can name. Data. */
export const PRODUCTS: Readonly<Record<ProductId, ProductInfo>> = Object.freeze({
  orthanc: { id: 'orthanc', name: 'Orthanc', family: 'dcmtk', defaultAes: ['ORTHANC'], defaultPorts: [4242], configuredIn: 'its configuration file (orthanc.json), then restart Orthanc' },
  dcmqrscp: { id: 'dcmqrscp', name: 'DCMTK dcmqrscp', family: 'dcmtk', defaultAes: [], defaultPorts: [], configuredIn: 'dcmqrscp.cfg, then restart dcmqrscp' },
  storescp: { id: 'storescp', name: 'DCMTK storescp', family: 'dcmtk', defaultAes: ['ANY-SCP', 'STORESCP'], defaultPorts: [], configuredIn: "storescp's command line" },
  dcmtk: { id: 'dcmtk', name: 'DCMTK tools', family: 'dcmtk', defaultAes: [], defaultPorts: [], configuredIn: "the tool's command line" },
  pacscope: { id: 'pacscope', name: 'pacscope', family: 'dcmjs-dimse', defaultAes: ['PACSCOPE', 'STORESCP'], defaultPorts: [11112, 11113], configuredIn: 'pacscope serve (its flags, its --config file or the UI panels)' },
  pixelmed: { id: 'pixelmed', name: 'PixelMed', family: 'pixelmed', defaultAes: [], defaultPorts: [], configuredIn: "the PixelMed application's properties file" },
});

/** The family of an Implementation Class UID / Version Name, or null. */
export function familyOf(classUid: string | null, versionName: string | null): Family | null {
  for (const f of FAMILIES) {
    if (classUid !== null && (classUid === f.classUidRoot || classUid.startsWith(`${f.classUidRoot}.`))) return f.family;
  }
  for (const f of FAMILIES) if (versionName !== null && f.versionName.test(versionName)) return f.family;
  return null;
}
