/**
 * Files the browser uploads for a C-STORE operation (`POST /api/uploads`, the
 * body is one file's bytes). Each is streamed to disk under the data folder,
 * never held in memory, bounded in size, and checked to be DICOM Part 10
 * ("DICM" after the 128-byte preamble, PS3.10 §7.1) before it is accepted,
 * so that a wrong file is refused at once with a reason rather than failing
 * later inside an association. An operation takes its uploads: once sent
 * they are deleted.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { UploadInfo } from '../../shared/events/live-api.ts';
import { HttpError } from './http-json.ts';

/** Per file (a big multi-frame or whole-slide instance still fits). */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Uploads waiting for an operation; the oldest go first. */
const KEEP = 1000;

interface Upload extends UploadInfo {
  path: string;
}

export class UploadStore {
  private readonly uploads = new Map<string, Upload>();

  private constructor(private readonly dir: string) {}

  /** A store in `dir`, emptied first: uploads of an earlier run were never sent and nobody can name them now. */
  static async open(dir: string): Promise<UploadStore> {
    await rm(dir, { recursive: true, force: true });
    return new UploadStore(dir);
  }

  /** Streams the request body to disk; HttpError 400/413/415 for what cannot be stored. */
  async receive(req: IncomingMessage, name: string): Promise<UploadInfo> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_UPLOAD_BYTES) throw new HttpError(413, `file larger than ${MAX_UPLOAD_BYTES} bytes`);
    await mkdir(this.dir, { recursive: true });
    const id = `u${randomBytes(8).toString('hex')}`;
    const path = join(this.dir, `${id}.dcm`);
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) done(new HttpError(413, `file larger than ${MAX_UPLOAD_BYTES} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, count, createWriteStream(path, { flags: 'wx' }));
      const uids = await part10Uids(path);
      if (!uids) throw new HttpError(415, `${name || 'the file'} is not a DICOM Part 10 file (no "DICM" at byte 128)`);
      const upload: Upload = { id, name: name || id, size, path, ...uids };
      this.uploads.set(id, upload);
      await this.forgetOld();
      const { path: _path, ...info } = upload;
      return info;
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
  }

  /** The files of `ids`, in order; HttpError 400 for an unknown id. */
  take(ids: string[]): { id: string; name: string; path: string }[] {
    return ids.map((id) => {
      const u = this.uploads.get(id);
      if (!u) throw new HttpError(400, `no upload "${id}" (uploads are used once; upload the file again)`);
      return { id, name: u.name, path: u.path };
    });
  }

  /** Forgets the uploads and deletes their files (after the operation sent them). */
  async release(ids: string[]): Promise<void> {
    for (const id of ids) {
      const u = this.uploads.get(id);
      if (!u) continue;
      this.uploads.delete(id);
      await rm(u.path, { force: true });
    }
  }

  private async forgetOld(): Promise<void> {
    const extra = this.uploads.size - KEEP;
    if (extra > 0) await this.release([...this.uploads.keys()].slice(0, extra));
  }
}

/**
 * The SOP Class and Instance UIDs from the File Meta Information (PS3.10
 * §7.1: group 0002, always Explicit VR Little Endian), or null when the file
 * is not Part 10. Only the meta header is read.
 */
async function part10Uids(path: string): Promise<{ sopClassUid: string | null; sopInstanceUid: string | null } | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(132 + 4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < 132 || head.toString('latin1', 128, 132) !== 'DICM') return null;
    const out = { sopClassUid: null as string | null, sopInstanceUid: null as string | null };
    let at = 132;
    while (at + 8 <= bytesRead && head.readUInt16LE(at) === 0x0002) {
      const element = head.readUInt16LE(at + 2);
      const vr = head.toString('latin1', at + 4, at + 6);
      const long = vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'SQ' || vr === 'UT' || vr === 'UC' || vr === 'UR';
      const length = long ? head.readUInt32LE(at + 8) : head.readUInt16LE(at + 6);
      const start = at + (long ? 12 : 8);
      if (start + length > bytesRead) break;
      const value = head.toString('latin1', start, start + length).replace(/[\0 ]+$/, '');
      if (element === 0x0002) out.sopClassUid = value;
      if (element === 0x0003) out.sopInstanceUid = value;
      at = start + length;
    }
    return out;
  } finally {
    await handle.close();
  }
}
