// An image kept in a tar (`docker save`, `tar -cf` of an OCI layout): one pass over it lists
// where each member's bytes are, so manifests and layers are then read in place by byte range.
// A gzipped one is unpacked to a temporary file during that pass (gzip cannot be read in
// place). Symlinked members are followed inside the tar: legacy `docker save` links repeated
// layers to the first copy.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlobStore } from './blob-store.js';
import { compressionOf, readHead } from './detect.js';
import { ImportError, reason } from './errors.js';
import { feed, type Range } from './layer-stream.js';
import { TarParser, type TarEntryType } from './tar-reader.js';

interface Member {
  type: TarEntryType;
  start: number;
  length: number;
  link: string;
}

function normalize(name: string): string {
  return name.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

export class TarStore implements BlobStore {
  private constructor(
    private readonly file: string,
    private readonly members: Map<string, Member>,
  ) {}

  /**
   * Lists the members of `source`. `gunzipTo` names where the decompressed tar goes if `source`
   * is gzipped (the caller removes it).
   */
  static async open(source: string, gunzipTo: string): Promise<TarStore> {
    const members = new Map<string, Member>();
    const parser = new TarParser({
      entry: (e) => members.set(normalize(e.name), { type: e.type, start: e.dataOffset, length: e.size, link: e.linkname }),
      data: () => {},
      entryEnd: () => {},
    });
    const gzip = compressionOf(readHead(source)) === 'gzip';
    const file = gzip ? gunzipTo : source;
    let out: number | null = null;
    const size = fs.statSync(source).size;
    try {
      if (gzip) out = fs.openSync(gunzipTo, 'wx', 0o600);
      await feed({ file: source, start: 0, length: size }, {
        onChunk: (chunk) => {
          if (out !== null) write(out, chunk, gunzipTo);
          parser.write(chunk);
        },
      });
      parser.end();
    } catch (e) {
      if (e instanceof ImportError) throw e;
      throw new ImportError(`cannot unpack to ${gunzipTo}: ${reason(e)}`);
    } finally {
      if (out !== null) fs.closeSync(out);
    }
    return new TarStore(file, members);
  }

  locate(name: string): Range | null {
    let key = normalize(name);
    for (let hops = 0; hops < 16; hops++) {
      const m = this.members.get(key);
      if (!m) return null;
      if (m.type === 'file') return { file: this.file, start: m.start, length: m.length };
      if (m.type === 'hardlink') key = normalize(m.link);
      else if (m.type === 'symlink') key = normalize(path.posix.normalize(path.posix.join(path.posix.dirname(key), m.link)));
      else return null;
      if (key.startsWith('..')) return null;
    }
    return null;
  }
}

function write(fd: number, chunk: Buffer, file: string): void {
  try {
    for (let o = 0; o < chunk.length; ) o += fs.writeSync(fd, chunk, o, chunk.length - o);
  } catch (e) {
    throw new ImportError(`cannot unpack to ${file}: ${reason(e)}`);
  }
}
