// Reads a byte range of a file (a whole tarball, or one blob inside an image tar) chunk by chunk,
// gunzipped when it starts with the gzip magic, and hashes the raw bytes on the way so a blob can
// be checked against its digest without a second read.

import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { compressionOf, readHead } from './detect.js';
import { ImportError } from './errors.js';

export interface Range {
  file: string;
  start: number;
  length: number;
}

export interface FeedOptions {
  /** Gets the (decompressed) bytes; returning true stops reading early. */
  onChunk: (chunk: Buffer) => boolean | void;
  /** 'sha256', 'sha512': hash the raw bytes. */
  hash?: string;
}

/** Feeds the range to onChunk; resolves to the raw bytes' hex digest (null unless asked or when stopped early). */
export async function feed(range: Range, opts: FeedOptions): Promise<string | null> {
  if (range.length === 0) return opts.hash ? createHash(opts.hash).digest('hex') : null;
  const gzip = compressionOf(readHead(range.file, range.start, 6)) === 'gzip';
  const hash: Hash | null = opts.hash ? createHash(opts.hash) : null;
  const raw = fs.createReadStream(range.file, { start: range.start, end: range.start + range.length - 1, highWaterMark: 1 << 20 });
  const stages: Readable[] = [raw];
  let out: Readable = raw;
  if (hash) {
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    stages.push(tap);
    out = pipe(out, tap);
  }
  if (gzip) {
    const gunzip = createGunzip();
    stages.push(gunzip);
    out = pipe(out, gunzip);
  }
  let stopped = false;
  try {
    for await (const chunk of out) {
      if (opts.onChunk(chunk as Buffer) === true) {
        stopped = true;
        break;
      }
    }
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw new ImportError(`corrupt gzip data (${(e as Error).message})`);
    throw new ImportError(`cannot read ${range.file}: ${code || (e as Error).message}`);
  } finally {
    for (const s of stages) s.destroy();
  }
  return hash && !stopped ? hash.digest('hex') : null;
}

/** a.pipe(b), with a's errors ending b (pipe alone would leave b waiting forever). */
function pipe<T extends NodeJS.WritableStream & Readable>(from: Readable, to: T): T {
  from.on('error', (e) => to.destroy(e));
  return from.pipe(to);
}
