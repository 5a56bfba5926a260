/**
 * Where a setting lives on the peers users meet most — data, declared once,
 * so that every fix names the same option the same way. Templates take
 * {AE}, {DEST}, {HOST}, {PORT}, {SOP}, {SECONDS}; the values are DICOM strings
 * and addresses from the wire: {AE} inserts a string JSON-quoted, {=AE} as a
 * bare token when it is one (a command-line argument, a dcmqrscp.cfg field).
 *
 * Checked against Orthanc 1.10 (its orthanc.json), DCMTK 3.6.7 (dcmqrscp.cfg,
 * the tools' --help) and pacscope's own `serve` options.
 */

export type Peer = 'orthanc' | 'dcmqrscp' | 'storescp' | 'dcmtk' | 'pacscope' | 'pacscopeStore';

export const PEER_NAMES: Readonly<Record<Peer, string>> = Object.freeze({
  orthanc: 'Orthanc',
  dcmqrscp: 'DCMTK dcmqrscp',
  storescp: 'DCMTK storescp',
  dcmtk: 'DCMTK tools',
  pacscope: 'pacscope',
  pacscopeStore: "pacscope's store SCP",
});

type SettingTable = Readonly<Partial<Record<Peer, string>>>;

/** Setting name → where it lives, per peer. */
export const SETTINGS = Object.freeze({
  /** The AE title an SCP answers to. */
  scpOwnAe: {
    orthanc: '"DicomAet" in orthanc.json',
    dcmqrscp: 'the AE title of its AETable line in dcmqrscp.cfg',
    storescp: '--aetitle',
    pacscope: 'serve --pacs AE@HOST:PORT (the PACS) or --store AE@HOST:PORT (the store SCP)',
  },
  /** The called AE title an SCU puts in its A-ASSOCIATE-RQ. */
  scuCalledAe: {
    dcmtk: 'echoscu/findscu/movescu/getscu/storescu -aec {=AE}',
    pacscope: 'pacscope echo/find/move/get/store --aec {=AE}',
  },
  /** The calling AE title an SCU puts in its A-ASSOCIATE-RQ. */
  scuCallingAe: {
    dcmtk: '-aet {=AE}',
    pacscope: '--aet {=AE}',
  },
  /** Accept any called AE title. */
  calledAeCheckOff: {
    orthanc: '"DicomCheckCalledAet": false',
    pacscope: 'serve --ae-policy any',
  },
  /** Register a calling AE title (a peer the SCP knows). */
  knownCaller: {
    orthanc: '"DicomModalities": {{AE}: [{AE}, "{HOST}", PORT]} in orthanc.json',
    dcmqrscp: 'a HostTable line {=AE} = ({=AE}, {HOST}, PORT) in dcmqrscp.cfg and that name (or ANY) in the peers column of its AETable line',
    pacscope: '"knownCallers": [{AE}] in the serve --config file, or --ae-policy called',
  },
  /** Let unknown callers query and retrieve. */
  allowUnknownCallers: {
    orthanc: '"DicomAlwaysAllowFind" / "DicomAlwaysAllowMove" / "DicomAlwaysAllowGet": true (or "AllowFind"/"AllowMove"/"AllowGet" on the caller\'s DicomModalities entry)',
    pacscope: 'serve --ae-policy any',
  },
  /** Register a move destination: its AE title and where it listens. */
  moveDestination: {
    orthanc: '"DicomModalities": {{DEST}: [{DEST}, "HOST", PORT]} in orthanc.json',
    dcmqrscp: 'a HostTable line {=DEST} = ({=DEST}, HOST, PORT) in dcmqrscp.cfg',
    pacscope: 'serve --dest {=DEST}=HOST:PORT (or "destinations": {{DEST}: "HOST:PORT"} in the --config file)',
  },
  /** Storage SOP classes a store SCP accepts. */
  storeSopClasses: {
    storescp: 'a --config-file (-xf FILE PROFILE) profile whose PresentationContexts list {=SOP}, or -pm (promiscuous) for classes it does not know',
    orthanc: 'Orthanc accepts the standard storage classes; "UnknownSopClassAccepted": true for others',
    pacscopeStore: '"storeSopClasses" in the serve --config file (leave it out to accept every storage class)',
  },
  /** Transfer syntaxes a store SCP accepts. */
  storeTransferSyntaxes: {
    storescp: '+xa (accept all supported transfer syntaxes) or the profile\'s TransferSyntaxes',
    orthanc: '"AcceptedTransferSyntaxes" in orthanc.json',
    pacscopeStore: '"storeTransferSyntaxes" in the serve --config file',
  },
  /** The final C-MOVE response after the sub-operations. */
  synchronousMove: {
    orthanc: '"SynchronousCMove": true',
    pacscope: 'serve --move-mode sync',
  },
  /** How long an SCU waits for a DIMSE response. */
  scuTimeout: {
    dcmtk: 'movescu/getscu/findscu -td {SECONDS} (--dimse-timeout, default unlimited)',
    pacscope: '--timeout {SECONDS}',
  },
  /** An SCU that is its own move destination must listen. */
  moveScuListens: {
    dcmtk: 'movescu --port PORT (its own storage SCP), with the PACS\'s entry for {DEST} pointing at that port',
    pacscope: 'serve (its store SCP), registered at the PACS as {DEST}',
  },
  /** SCP role for the storage classes of a C-GET (PS3.7 D.3.3.4). */
  getScpRole: {
    dcmtk: 'getscu proposes its storage classes with the SCP role (more classes through an association profile, -xf)',
    pacscope: 'pacscope get --sop-class {=SOP} (proposed with the SCP role)',
  },
  /** Query/Retrieve information model of the SCU. */
  informationModel: {
    dcmtk: 'findscu/movescu/getscu -S (Study Root) or -P (Patient Root)',
    pacscope: '-S / -P (--model study|patient)',
  },
  /** Maximum PDU length a side receives (PS3.8 D.1). */
  maxPdu: {
    dcmtk: 'the tools\' -pdu N; dcmqrscp: MaxPDUSize in dcmqrscp.cfg',
    orthanc: '"MaximumPduLength"',
    pacscope: '--max-pdu N',
  },
  /** The TCP port an SCP listens on. */
  scpPort: {
    orthanc: '"DicomPort" in orthanc.json',
    dcmqrscp: 'NetworkTCPPort in dcmqrscp.cfg (or its port argument)',
    storescp: 'its port argument',
    pacscope: 'serve --pacs AE@HOST:PORT / --store AE@HOST:PORT',
  },
  /** How many associations an SCP serves at once. */
  maxAssociations: {
    dcmqrscp: 'MaxAssociations in dcmqrscp.cfg',
  },
} satisfies Record<string, SettingTable>);

export type SettingName = keyof typeof SETTINGS;

/**
 * "Orthanc: …; DCMTK dcmqrscp: …" for a setting, the placeholders filled in
 * (string values quoted with JSON escaping: they come from the wire).
 */
export function where(name: SettingName, values: Readonly<Record<string, string | number>> = {}, peers?: readonly Peer[]): string {
  const table: SettingTable = SETTINGS[name];
  const entries = (Object.keys(table) as Peer[]).filter((p) => !peers || peers.includes(p));
  return entries.map((p) => `${PEER_NAMES[p]}: ${fill(table[p] ?? '', values)}`).join('; ');
}

/**
 * {KEY}: a string value JSON-quoted (as in orthanc.json); {=KEY}: as is, for a
 * command line or dcmqrscp.cfg, when it is a plain token (else quoted too).
 */
function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(=?)(AE|DEST|HOST|PORT|SOP|SECONDS)\}/g, (_whole, raw: string, key: string) => {
    const v = values[key];
    if (v === undefined) return key;
    if (typeof v === 'number' || key === 'HOST' || key === 'PORT' || key === 'SECONDS') return String(v);
    return raw && /^[A-Za-z0-9_.\-]+$/.test(v) ? v : JSON.stringify(v);
  });
}
