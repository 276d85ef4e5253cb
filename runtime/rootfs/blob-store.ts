// Where the files of an image are: an OCI layout or a `docker save` is a set of named files
// (index.json, blobs/sha256/…, manifest.json), kept either in a folder or inside a tar. Both
// answer the same question: which byte range of which host file holds member NAME.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { ImportError } from './errors.js';
import type { Range } from './layer-stream.js';

export interface BlobStore {
  /** The bytes of member `name` ("blobs/sha256/ab…"), or null when it is not there. */
  locate(name: string): Range | null;
}

/** JSON documents (indexes, manifests, configs) are small; a huge one is not what it claims. */
const MAX_JSON = 16 << 20;

/** "sha256:ab…" → ["sha256", "ab…"], or an error for anything that could not name a blob. */
export function splitDigest(digest: unknown): [string, string] {
  const m = typeof digest === 'string' ? /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest) : null;
  if (!m) throw new ImportError(`bad digest ${JSON.stringify(digest)} in the image`);
  return [m[1], m[2]];
}

/** The member holding the blob with this digest (OCI image layout: blobs/ALG/HEX). */
export function blobPath(digest: unknown): string {
  const [alg, hex] = splitDigest(digest);
  return `blobs/${alg}/${hex}`;
}

/** Throws when `hex` (of the blob's bytes) does not match the digest; unknown algorithms pass. */
export function checkDigest(digest: string, hex: string | null, what: string): void {
  const [alg, want] = splitDigest(digest);
  if (hex !== null && hex !== want) throw new ImportError(`${what} does not match its digest ${alg}:${want.slice(0, 12)}…: the image is corrupt`);
}

/** The hash algorithm to check a digest with, when node knows it. */
export function digestAlgorithm(digest: string): string | undefined {
  const [alg] = splitDigest(digest);
  return alg === 'sha256' || alg === 'sha512' ? alg : undefined;
}

function readMember(store: BlobStore, name: string, what: string): Buffer {
  const r = store.locate(name);
  if (!r) throw new ImportError(`${what} is missing (no ${name})`);
  if (r.length > MAX_JSON) throw new ImportError(`${what} (${name}) is too large to be JSON (${r.length} bytes)`);
  const buf = Buffer.alloc(r.length);
  const fd = fs.openSync(r.file, 'r');
  try {
    for (let got = 0; got < r.length; ) {
      const n = fs.readSync(fd, buf, got, r.length - got, r.start + got);
      if (n === 0) throw new ImportError(`${name} is truncated`);
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

/** Reads and parses a JSON member, checking it against `digest` when given. */
export function readJson(store: BlobStore, name: string, what: string, digest: string | null): unknown {
  const buf = readMember(store, name, what);
  if (digest !== null) {
    const alg = digestAlgorithm(digest);
    checkDigest(digest, alg ? createHash(alg).update(buf).digest('hex') : null, what);
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new ImportError(`${what} (${name}) is not valid JSON`);
  }
}
