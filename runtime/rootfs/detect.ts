// What SOURCE is, from its first bytes and first entries: the compression (only gzip is read; the
// others get a hint), and whether a tar holds a root filesystem (`docker export`) or an image
// (OCI layout or `docker save`). A rootfs never has these top-level names, an image has nothing
// else, so the first entry that is not "./" decides.

import * as fs from 'node:fs';
import { ImportError } from './errors.js';

export type Compression = 'gzip' | 'plain';

/** gzip or plain; other compressions are refused with the command that undoes them. */
export function compressionOf(head: Buffer): Compression {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  const other = starts(0x28, 0xb5, 0x2f, 0xfd) ? ['zstd', 'zstd -d']
    : starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) ? ['xz', 'xz -d']
    : starts(0x42, 0x5a, 0x68) ? ['bzip2', 'bzip2 -d']
    : null;
  if (other) throw new ImportError(`${other[0]}-compressed data: only plain and gzip tar are read; decompress it first (${other[1]})`);
  return 'plain';
}

/** The first `n` bytes of `file` from `start` (fewer at its end). */
export function readHead(file: string, start = 0, n = 8): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, start));
  } finally {
    fs.closeSync(fd);
  }
}

const IMAGE_NAMES = new Set(['blobs', 'oci-layout', 'index.json', 'manifest.json', 'repositories']);
/** Legacy `docker save`: one folder per layer and the config, named by a sha256. */
const LEGACY_LAYER = /^[0-9a-f]{64}(\.json)?$/;

/** 'image' or 'rootfs' from a member name, or null when it says nothing ("./"). */
export function kindOfMember(name: string): 'image' | 'rootfs' | null {
  const top = name.split('/').find((p) => p !== '' && p !== '.');
  if (top === undefined) return null;
  return IMAGE_NAMES.has(top) || LEGACY_LAYER.test(top) ? 'image' : 'rootfs';
}
