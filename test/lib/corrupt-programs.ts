// Executable files that are not quite programs, for exec under tsbox: random bytes, a `#!` line
// of random bytes, an ELF magic followed by random bytes, and a real ELF with bytes of its headers
// flipped. The same files for the same seed, so a failure can be replayed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, UNPRIVILEGED_GID, UNPRIVILEGED_UID } from './run.js';

export type CorruptKind = 'random' | 'shebang' | 'elf-magic' | 'flipped-elf';
const KINDS: CorruptKind[] = ['random', 'shebang', 'elf-magic', 'flipped-elf'];

/** mulberry32: a small seeded generator (Math.random cannot be seeded). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `count` executable files named c0, c1, … into `dir` (owned by the unprivileged user when
 * `forUser`), cycling through the kinds; returns each file's name and kind. `elf` is a real
 * program to corrupt (the host's /bin/true by default).
 */
export function writeCorruptPrograms(dir: string, count: number, seed: number, opts: { forUser?: boolean; elf?: string } = {}): Array<{ name: string; kind: CorruptKind }> {
  const random = generator(seed);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  const elf = fs.readFileSync(opts.elf ?? '/bin/true');
  const out: Array<{ name: string; kind: CorruptKind }> = [];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length]!;
    // The first of each kind are 0 to 3 bytes long (shorter than any header), the rest up to 300.
    const n = i < 4 * KINDS.length ? Math.floor(i / KINDS.length) : Math.floor(random() * 300);
    let data: Buffer;
    if (kind === 'random') data = bytes(n);
    else if (kind === 'shebang') data = Buffer.concat([Buffer.from('#!'), bytes(n)]);
    else if (kind === 'elf-magic') data = Buffer.concat([Buffer.from('\x7fELF', 'latin1'), bytes(n)]);
    else {
      data = Buffer.from(elf.subarray(0, Math.floor(random() * elf.length)));
      for (let k = 1 + Math.floor(random() * 20); k > 0 && data.length > 0; k--) {
        data[Math.floor(random() * Math.min(data.length, 128))] = Math.floor(random() * 256);
      }
    }
    const name = `c${i}`;
    const file = path.join(dir, name);
    fs.writeFileSync(file, data, { mode: 0o755 });
    if (opts.forUser && isRoot()) fs.chownSync(file, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
    out.push({ name, kind });
  }
  return out;
}
