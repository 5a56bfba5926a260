/**
 * Certificates for the DICOM-over-TLS interop tests, made by openssl (never
 * checked in): a CA; a server certificate for 127.0.0.1/localhost and a
 * client certificate, both signed by it; one that expired in 2020 (openssl ca
 * with -startdate/-enddate); one for another name (pacs.example); and a
 * self-signed one no one trusts.
 */
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from './process.ts';

export interface TlsCerts {
  dir: string;
  ca: string;
  server: { key: string; cert: string };
  client: { key: string; cert: string };
  expired: { key: string; cert: string };
  wrongName: { key: string; cert: string };
  untrusted: { key: string; cert: string };
  remove(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runTool('openssl', args, { cwd, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`${r.command} failed:\n${r.output}`);
}

export async function makeTlsCerts(): Promise<TlsCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'pacscope-tls-'));
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=pacscope test CA'], dir);
  const signed = async (name: string, cn: string, san: string) => {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    await writeFile(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
    return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.pem`) };
  };
  const server = await signed('server', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  const client = await signed('client', 'TLSSCU', 'DNS:client.test');
  const wrongName = await signed('wrongname', 'pacs.example', 'DNS:pacs.example');
  // Expired: openssl ca takes explicit dates (x509 -days takes no negative number).
  await mkdir(join(dir, 'cadb'));
  await writeFile(join(dir, 'cadb', 'index.txt'), '');
  await writeFile(join(dir, 'cadb', 'serial'), '01\n');
  await writeFile(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = d\n[d]\ndatabase = cadb/index.txt\nnew_certs_dir = cadb\nserial = cadb/serial\ndefault_md = sha256\npolicy = p\nx509_extensions = ext\n[p]\ncommonName = supplied\n[ext]\nsubjectAltName = DNS:localhost,IP:127.0.0.1\nbasicConstraints = CA:FALSE\n',
  );
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=localhost'], dir);
  await openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext'], dir);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'untrusted.key', '-out', 'untrusted.pem', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], dir);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server,
    client,
    expired: { key: join(dir, 'expired.key'), cert: join(dir, 'expired.pem') },
    wrongName,
    untrusted: { key: join(dir, 'untrusted.key'), cert: join(dir, 'untrusted.pem') },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
