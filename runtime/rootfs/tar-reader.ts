// A streaming tar reader: feed it chunks in order, it calls the sink for each entry and hands
// over file contents as slices of the chunks (no copies, no buffering of file data). Reads ustar,
// GNU (long names 'L'/'K', base-256 numbers) and pax ('x' per entry: path, linkpath, size,
// mtime; 'g' global: mtime). Written here rather than taken from npm so that what the importer
// trusts is small and visible; gzip is node:zlib's business, upstream of this.

import { ImportError } from './errors.js';

const BLOCK = 512;
/** Metadata entries (long names, pax records) are held in memory: refuse absurd ones. */
const MAX_META = 1 << 20;

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo' | 'other';

export interface TarEntry {
  /** The member name as archived (pax/GNU long names applied), not normalized. */
  name: string;
  type: TarEntryType;
  /** The raw typeflag, for messages about 'other' entries. */
  typeflag: string;
  /** Permission bits including setuid, setgid and sticky (0o7777). */
  mode: number;
  /** Bytes of data that follow; only 'file' entries hand them to the sink. */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Target of a symlink, or the member a hardlink names. */
  linkname: string;
  /** Byte offset of the entry's data in the (uncompressed) archive. */
  dataOffset: number;
  /** The name's bytes were not valid UTF-8 (the string holds U+FFFD in their place). */
  badName: boolean;
}

export interface TarSink {
  entry(e: TarEntry): void;
  /** Part of the current 'file' entry's contents; the buffer is only valid during the call. */
  data(chunk: Buffer): void;
  /** After the last data() of a 'file' entry, and right after entry() for the others. */
  entryEnd(): void;
}

interface Pax {
  path?: string;
  linkpath?: string;
  size?: number;
  mtime?: number;
}

type Body = 'file' | 'skip' | 'longname' | 'longlink' | 'pax' | 'paxGlobal';

export class TarParser {
  private readonly head = Buffer.alloc(BLOCK);
  private headFill = 0;
  private state: 'header' | 'body' | 'pad' | 'end' = 'header';
  private body: Body = 'skip';
  private remaining = 0;
  private pad = 0;
  private meta: Buffer[] = [];
  private zeroBlocks = 0;
  private offset = 0;
  private entries = 0;
  private longName: string | null = null;
  private longLink: string | null = null;
  private pax: Pax = {};
  private global: Pax = {};

  constructor(private readonly sink: TarSink) {}

  /** True once the end-of-archive marker (two zero blocks) was read. */
  get ended(): boolean {
    return this.state === 'end';
  }

  write(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'end') {
      const avail = chunk.length - i;
      if (this.state === 'header') {
        const n = Math.min(BLOCK - this.headFill, avail);
        chunk.copy(this.head, this.headFill, i, i + n);
        this.headFill += n;
        i += n;
        this.offset += n;
        if (this.headFill === BLOCK) {
          this.headFill = 0;
          this.header();
        }
      } else if (this.state === 'body') {
        const n = Math.min(this.remaining, avail);
        this.bodyBytes(chunk.subarray(i, i + n));
        i += n;
        this.offset += n;
        this.remaining -= n;
        if (this.remaining === 0) this.bodyDone();
      } else {
        const n = Math.min(this.pad, avail);
        i += n;
        this.offset += n;
        this.pad -= n;
        if (this.pad === 0) this.state = 'header';
      }
    }
  }

  /** The input is over: complains when it stopped inside an entry. */
  end(): void {
    if (this.state === 'end' || (this.state === 'header' && this.headFill === 0)) {
      if (this.entries === 0 && this.zeroBlocks === 0) throw new ImportError('not a tar archive: it is empty');
      return;
    }
    if (this.entries === 0) throw new ImportError('not a tar archive (too short to hold a tar header)');
    if (this.state === 'pad') return; // a missing final padding loses nothing
    throw new ImportError(`truncated tar archive: it ends inside an entry (at byte ${this.offset})`);
  }

  private header(): void {
    const h = this.head;
    const at = this.offset - BLOCK;
    if (isZero(h)) {
      if (++this.zeroBlocks === 2) this.state = 'end';
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h)) {
      throw new ImportError(
        this.entries === 0 && at === 0
          ? 'not a tar archive (the first block is not a tar header)'
          : `corrupt tar archive: bad header checksum at byte ${at}`,
      );
    }
    this.entries++;
    const flag = h[156] === 0 ? '0' : String.fromCharCode(h[156]);
    const meta = flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g';
    // A pax size describes the next real entry, never the metadata entries before it.
    const size = (meta ? undefined : this.pax.size) ?? num(h, 124, 12, at);
    this.remaining = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;

    switch (flag) {
      case 'L': return this.startBody('longname');
      case 'K': return this.startBody('longlink');
      case 'x': return this.startBody('pax');
      case 'g': return this.startBody('paxGlobal');
      case 'S': throw new ImportError(`GNU sparse files are not supported (entry at byte ${at}): re-create the archive without --sparse`);
      default:
    }

    const gnu = h.toString('latin1', 257, 265) === 'ustar  \0';
    const ustar = h.toString('latin1', 257, 262) === 'ustar';
    let raw = cstring(h, 0, 100);
    if (ustar && !gnu) {
      const prefix = cstring(h, 345, 155);
      if (prefix.length > 0) raw = Buffer.concat([prefix, Buffer.from('/'), raw]);
    }
    const fromHeader = utf8(raw);
    // Global records only make sense for mtime: a global path or size would apply to every entry.
    const name = this.pax.path ?? this.longName ?? fromHeader.text;
    const badName = this.pax.path === undefined && this.longName === null && fromHeader.bad;
    const linkname = this.pax.linkpath ?? this.longLink ?? utf8(cstring(h, 157, 100)).text;
    let type = entryType(flag);
    if (type === 'file' && flag === '0' && h[156] === 0 && name.endsWith('/')) type = 'dir'; // pre-POSIX tars
    const entry: TarEntry = {
      name,
      type,
      typeflag: flag,
      mode: num(h, 100, 8, at) & 0o7777,
      size,
      mtime: this.pax.mtime ?? this.global.mtime ?? num(h, 136, 12, at),
      linkname,
      dataOffset: this.offset,
      badName,
    };
    this.longName = null;
    this.longLink = null;
    this.pax = {};
    this.sink.entry(entry);
    if (type === 'file') {
      this.startBody('file');
    } else {
      this.sink.entryEnd();
      this.startBody('skip');
    }
  }

  private startBody(kind: Body): void {
    this.body = kind;
    this.meta = [];
    if (kind !== 'file' && kind !== 'skip' && this.remaining > MAX_META) {
      throw new ImportError(`corrupt tar archive: a ${kind} record of ${this.remaining} bytes at byte ${this.offset}`);
    }
    if (this.remaining === 0) this.bodyDone();
    else this.state = 'body';
  }

  private bodyBytes(b: Buffer): void {
    if (this.body === 'file') this.sink.data(b);
    else if (this.body !== 'skip') this.meta.push(Buffer.from(b)); // the chunk is reused upstream
  }

  private bodyDone(): void {
    const meta = Buffer.concat(this.meta);
    this.meta = [];
    switch (this.body) {
      case 'file': this.sink.entryEnd(); break;
      case 'longname': this.longName = utf8(cstring(meta, 0, meta.length)).text; break;
      case 'longlink': this.longLink = utf8(cstring(meta, 0, meta.length)).text; break;
      case 'pax': Object.assign(this.pax, parsePax(meta, this.offset)); break;
      case 'paxGlobal': Object.assign(this.global, parsePax(meta, this.offset)); break;
      case 'skip': break;
    }
    this.state = this.pad > 0 ? 'pad' : 'header';
  }
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0': case '7': return 'file'; // '7' is "contiguous", a regular file everywhere else
    case '1': return 'hardlink';
    case '2': return 'symlink';
    case '3': return 'chardev';
    case '4': return 'blockdev';
    case '5': case 'D': return 'dir'; // 'D': GNU dumpdir, a folder with a listing as data
    case '6': return 'fifo';
    default: return 'other';
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** The header sum with the checksum field counted as spaces, unsigned or (old tars) signed. */
function checksumOk(h: Buffer): boolean {
  const stored = parseOctal(h, 148, 8);
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Octal digits after optional spaces, ended by a space, a NUL or the field's end; empty is 0. */
function parseOctal(b: Buffer, off: number, len: number): number | null {
  const end = off + len;
  let i = off;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  for (; i < end && b[i] >= 0x30 && b[i] <= 0x37; i++) v = v * 8 + (b[i] - 0x30);
  return i === end || b[i] === 0x20 || b[i] === 0 ? v : null;
}

/** A numeric field: octal text, or GNU base-256 (top bit set) for values that do not fit. */
function num(b: Buffer, off: number, len: number, at: number): number {
  if (b[off] & 0x80) {
    if (b[off] === 0xff) throw new ImportError(`corrupt tar archive: negative number in the header at byte ${at}`);
    let v = b[off] & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i];
    if (!Number.isSafeInteger(v)) throw new ImportError(`corrupt tar archive: number too large in the header at byte ${at}`);
    return v;
  }
  const v = parseOctal(b, off, len);
  if (v === null) throw new ImportError(`corrupt tar archive: bad number in the header at byte ${at}`);
  return v;
}

function cstring(b: Buffer, off: number, len: number): Buffer {
  const end = b.indexOf(0, off);
  return b.subarray(off, end === -1 || end > off + len ? off + len : end);
}

function utf8(raw: Buffer): { text: string; bad: boolean } {
  const text = raw.toString('utf8');
  return { text, bad: text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(raw) };
}

/** pax records: "LEN key=value\n", LEN counting the whole record in bytes. */
function parsePax(b: Buffer, at: number): Pax {
  const out: Pax = {};
  let i = 0;
  while (i < b.length) {
    if (b[i] === 0) break; // some writers pad with NULs
    const sp = b.indexOf(0x20, i);
    const len = sp === -1 ? NaN : Number(b.toString('latin1', i, sp));
    if (!Number.isInteger(len) || len <= 0 || i + len > b.length || b[i + len - 1] !== 0x0a) {
      throw new ImportError(`corrupt tar archive: bad pax record before byte ${at}`);
    }
    const rec = b.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq > 0) {
      const key = rec.toString('utf8', 0, eq);
      const value = rec.toString('utf8', eq + 1);
      if (key === 'path') out.path = value;
      else if (key === 'linkpath') out.linkpath = value;
      else if (key === 'size') out.size = paxSize(value, at);
      else if (key === 'mtime' && Number.isFinite(Number(value))) out.mtime = Math.max(0, Math.floor(Number(value)));
      else if (key.startsWith('GNU.sparse.')) throw new ImportError('pax sparse files are not supported: re-create the archive without --sparse');
    }
    i += len;
  }
  return out;
}

function paxSize(value: string, at: number): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new ImportError(`corrupt tar archive: pax size="${value}" before byte ${at}`);
  return n;
}
