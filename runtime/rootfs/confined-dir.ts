// Archive member names → host paths inside the destination folder, resolved the way the guest
// will see them: a symlink met on the way to a folder is followed as in a chroot (an absolute
// target starts again at the rootfs, ".." stops at it). So whatever symlinks earlier entries
// planted (`lib -> /usr/lib`, or `evil -> /etc`), every folder we write into is a real folder
// inside the destination. The last component of a name is never followed: callers replace it.
// We are the only writer of the destination while importing; a concurrent attacker with write
// access to it is out of scope.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImportError, errnoCode, reason } from './errors.js';

/** As many as the kernel follows (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/**
 * The components of an archive member name ("./usr//bin/" → ["usr", "bin"]; "." → []).
 * Absolute names and ".." never occur in a docker export or an image layer: an archive holding
 * one is broken or hostile, and the whole import is refused.
 */
export function memberParts(name: string, subject = `entry "${name}"`): string[] {
  if (name.startsWith('/')) {
    throw new ImportError(`refusing the archive: ${subject} has an absolute name (nothing was written outside the destination)`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new ImportError(`refusing the archive: ${subject} climbs out with ".." (nothing was written outside the destination)`);
  }
  return parts;
}

interface Resolved {
  /** Real components below the root: no symlinks, no "..". */
  comps: string[];
  host: string;
}

export class ConfinedDir {
  /** Archive folder name → where it resolved; valid until something is removed or replaced. */
  private readonly cache = new Map<string, Resolved>();

  /** `root` must be an absolute, realpathed folder. */
  constructor(readonly root: string) {}

  /** Call after removing or replacing a folder or a symlink: resolutions may have changed. */
  forget(): void {
    this.cache.clear();
  }

  /**
   * The host path of the folder `parts` names. Missing folders are created (0755, as tar does
   * for implied parents) when `create`, else the answer is null. A component that is a file is
   * an error.
   */
  folder(parts: string[], create: boolean): string | null {
    if (parts.length === 0) return this.root;
    const key = parts.join('/');
    const hit = this.cache.get(key);
    if (hit) return hit.host;

    // Start from the longest prefix already resolved: entries come folder by folder.
    let start = 0;
    let comps: string[] = [];
    for (let i = parts.length - 1; i > 0; i--) {
      const prefix = this.cache.get(parts.slice(0, i).join('/'));
      if (prefix) {
        start = i;
        comps = [...prefix.comps];
        break;
      }
    }
    const todo = parts.slice(start).reverse(); // a stack: pop() gives the next component
    let hops = 0;
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        comps.pop(); // at the root, ".." stays there
        continue;
      }
      const host = path.join(this.root, ...comps, c);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(host);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw new ImportError(`cannot look up "${key}": ${reason(e)}`);
        if (!create) return null;
        try {
          fs.mkdirSync(host);
          fs.chmodSync(host, 0o755); // not left to the umask: the rootfs must look the same for everyone
        } catch (e2) {
          throw new ImportError(`cannot create the folder "${[...comps, c].join('/')}": ${reason(e2)}`);
        }
        comps.push(c);
        continue;
      }
      if (st.isDirectory()) {
        comps.push(c);
      } else if (st.isSymbolicLink()) {
        if (++hops > MAX_SYMLINKS) throw new ImportError(`cannot resolve "${key}": too many levels of symbolic links`);
        const target = fs.readlinkSync(host);
        if (target.startsWith('/')) comps = [];
        const more = target.split('/');
        for (let i = more.length - 1; i >= 0; i--) todo.push(more[i]);
      } else {
        throw new ImportError(`cannot write below "${key}": "${[...comps, c].join('/')}" is not a folder`);
      }
    }
    const resolved = { comps, host: path.join(this.root, ...comps) };
    this.cache.set(key, resolved);
    return resolved.host;
  }
}
