/**
 * Orthanc 1.10 with its DICOM TLS options (DicomTlsEnabled,
 * DicomTlsCertificate, DicomTlsPrivateKey, DicomTlsTrustedCertificates,
 * DicomTlsRemoteCertificateRequired; "UseDicomTls" per modality) as an SCP
 * for pacscope's SCU commands over TLS, and as the C-MOVE SCU of the
 * sub-association: Orthanc moves over TLS to the TLS port of pacscope
 * serve's store SCP, whose recording holds the decrypted C-STOREs with the
 * certificate Orthanc presented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrthancServer } from './harness/orthanc.ts';
import { makeTlsCerts, type TlsCerts } from './harness/tls-certs.ts';
import { pacscope, recordedEvents, startTlsServe, tlsEvents } from './harness/tls-lab.ts';

let certs: TlsCerts;
let dir: string;
beforeAll(async () => {
  certs = await makeTlsCerts();
  dir = await mkdtemp(join(tmpdir(), 'pacscope-tls-orthanc-'));
});
afterAll(async () => {
  await certs?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Orthanc 1.10 with DICOM TLS', () => {
  it('answers pacscope echo/find/move over TLS and sends the C-MOVE sub-association over TLS to pacscope serve', async () => {
    const record = join(dir, 'serve.pacscope');
    const data = join(dir, 'data');
    const serve = await startTlsServe(data, ['--tls', certs.server.key, certs.server.cert, '+cf', certs.ca, '--record', record]);
    const instances = (await readdir(join(data, 'pacs', 'instances'))).filter((f) => f.endsWith('.dcm')).slice(0, 2).map((f) => join(data, 'pacs', 'instances', f));
    const orthanc = await OrthancServer.start({
      modalities: {},
      extra: {
        DicomTlsEnabled: true,
        DicomTlsCertificate: certs.server.cert,
        DicomTlsPrivateKey: certs.server.key,
        DicomTlsTrustedCertificates: certs.ca,
        DicomTlsRemoteCertificateRequired: true,
        DicomModalities: { pstore: { AET: 'STORESCP', Host: '127.0.0.1', Port: serve.storeTlsPort, UseDicomTls: true } },
      },
    });
    const tls = ['+tls', certs.client.key, certs.client.cert, '+cf', certs.ca];
    try {
      const uploaded = await orthanc.upload(instances);
      const echo = await pacscope(['echo', '--aec', 'ORTHANC', ...tls, '127.0.0.1', String(orthanc.dicomPort)]);
      expect(echo.code, echo.output).toBe(0);
      const find = await pacscope(['find', '--aec', 'ORTHANC', ...tls, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `SOPInstanceUID=${uploaded[0].sopInstanceUid}`, '-k', 'StudyInstanceUID', '-k', 'SeriesInstanceUID', '-P', '127.0.0.1', String(orthanc.dicomPort)]);
      expect(find.code, find.output).toBe(0);
      // Plain DICOM to Orthanc's TLS port is refused (and diagnosed by pacscope from its own recording).
      const plainRecord = join(dir, 'plain.pacscope');
      expect((await pacscope(['echo', '--aec', 'ORTHANC', '--record', plainRecord, '127.0.0.1', String(orthanc.dicomPort)])).code).not.toBe(0);
      const move = await pacscope(['move', '--aec', 'ORTHANC', ...tls, '--dest', 'STORESCP', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${(await orthanc.rest<{ MainDicomTags: { StudyInstanceUID: string } }[]>('GET', '/studies?expand'))[0].MainDicomTags.StudyInstanceUID}`, '127.0.0.1', String(orthanc.dicomPort)], 90_000);
      expect(move.code, `${move.output}\n${orthanc.log.slice(-3000)}`).toBe(0);
      const plain = await pacscope(['summary', plainRecord]);
      expect(plain.output).toMatch(/association\.closed-unanswered|tls\./);
    } finally {
      await orthanc.stop();
      await serve.stop();
    }
    expect((await readdir(join(data, 'store-scp'))).filter((f) => f.endsWith('.dcm')).length).toBeGreaterThanOrEqual(1);
    const legs = tlsEvents(await recordedEvents(record));
    const sub = legs.find((l) => l.role === 'server' && l.outcome === 'established');
    expect(sub?.peerCertificate?.subject).toBe('CN=localhost'); // Orthanc's DicomTlsCertificate, used for its SCU too
    expect(sub?.peerVerified).toBe(true);
    const text = await pacscope(['summary', record]);
    expect(text.output).toMatch(/C-STORE-RQ/);
    expect(text.output).toMatch(/established \(requestor leg, pacscope the TLS server\) TLSv1\.[23]/);
  }, 150_000);
});
