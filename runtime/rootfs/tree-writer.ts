// Applies tar entries to the destination folder, layer after layer, the way an overlay of image
// layers reads: a later entry replaces what an earlier layer put at the same name, `.wh.NAME`
// deletes NAME from the layers below, `.wh..wh..opq` hides everything the layers below put in
// its folder. Every write goes through ConfinedDir and never follows the entry's own name.
//
// Choices, for a rootfs that an unprivileged user owns and fakes root in:
// - Ownership is the importing user's (uids in the archive are ignored, as `tar` does for
//   non-root): the user plays root inside the sandbox.
// - Modes are kept, plus owner rw (rwx on folders): root, whom the owner stands in for, is not
//   stopped by permission bits, and without them later layers, dpkg and `rm -rf` would fail.
// - setuid/setgid bits are kept when an ordinary user imports (a program setuid to yourself gains
//   nothing) and cleared when root imports (they would be real setuid-root programs on the host).
// - Device nodes and FIFOs are skipped and counted: mknod needs privilege, and /dev is bound from
//   the host at run time anyway.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfinedDir, memberParts } from './confined-dir.js';
import { ImportError, errnoCode, reason } from './errors.js';
import type { TarEntry, TarSink } from './tar-reader.js';

export interface TreeCounts {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  whiteouts: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** Device nodes and FIFOs. */
  skippedSpecial: number;
  /** Entries of a type tar readers do not know. */
  skippedOther: number;
  /** Names that are not UTF-8 (Node paths are strings). */
  skippedBadNames: number;
  /** Hardlinks to a member that does not exist (e.g. a skipped device node). */
  skippedLinks: number;
  /** Files whose setuid/setgid bits were cleared (root imports). */
  setidCleared: number;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

export class TreeWriter implements TarSink {
  readonly counts: TreeCounts = {
    files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, bytes: 0,
    skippedSpecial: 0, skippedOther: 0, skippedBadNames: 0, skippedLinks: 0, setidCleared: 0,
  };
  private whiteouts = false;
  /** Every name this layer wrote, with its parents: opaque folders keep these. */
  private readonly layerPaths = new Set<string>();
  /** Folder mtimes, set at the end: writing into a folder changes its mtime. */
  private readonly dirTimes = new Map<string, number>();
  private fd: number | null = null;
  private current: TarEntry | null = null;

  constructor(
    private readonly dir: ConfinedDir,
    private readonly opts: { clearSetid: boolean; onEntry?: (counts: TreeCounts) => void },
  ) {}

  /** Before each layer. `whiteouts`: an image layer (a plain rootfs tarball has none). */
  startLayer(whiteouts: boolean): void {
    this.whiteouts = whiteouts;
    this.layerPaths.clear();
  }

  entry(e: TarEntry): void {
    this.current = e;
    const parts = memberParts(e.name);
    if (e.badName) {
      this.counts.skippedBadNames++;
      return;
    }
    if (parts.length === 0) return; // "./": the destination itself keeps its mode
    const last = parts[parts.length - 1];
    if (this.whiteouts && last.startsWith(WH)) return this.whiteout(parts);
    if (this.whiteouts) this.markLayer(parts);
    try {
      switch (e.type) {
        case 'file': return this.file(parts, e);
        case 'dir': return this.mkdir(parts, e);
        case 'symlink': return this.symlink(parts, e);
        case 'hardlink': return this.hardlink(parts, e);
        case 'chardev': case 'blockdev': case 'fifo':
          this.counts.skippedSpecial++;
          return;
        default:
          this.counts.skippedOther++;
      }
    } catch (err) {
      if (err instanceof ImportError) throw err;
      throw new ImportError(`cannot write "${e.name}": ${reason(err)}`);
    }
  }

  data(chunk: Buffer): void {
    if (this.fd === null) return;
    try {
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (err) {
      throw new ImportError(`cannot write "${this.current?.name}": ${reason(err)}`);
    }
    this.counts.bytes += chunk.length;
  }

  entryEnd(): void {
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      const e = this.current!;
      try {
        // The mode last, so a setuid bit is never on a half-written file.
        fs.fchmodSync(fd, this.mode(e, 'file'));
        fs.futimesSync(fd, e.mtime, e.mtime);
      } catch (err) {
        throw new ImportError(`cannot write "${e.name}": ${reason(err)}`);
      } finally {
        fs.closeSync(fd);
      }
      this.counts.files++;
    }
    this.opts.onEntry?.(this.counts);
  }

  /** After the last layer: folder mtimes. */
  finish(): void {
    for (const [host, t] of this.dirTimes) {
      try {
        fs.lutimesSync(host, t, t);
      } catch {
        /* removed by a later layer */
      }
    }
  }

  /** On failure: closes the file being written. */
  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private mode(e: TarEntry, kind: 'file' | 'dir'): number {
    let m = e.mode & 0o7777;
    if (kind === 'file' && this.opts.clearSetid && m & 0o6000) {
      m &= ~0o6000;
      this.counts.setidCleared++;
    }
    return m | (kind === 'dir' ? 0o700 : 0o600);
  }

  private parent(parts: string[]): string {
    return this.dir.folder(parts.slice(0, -1), true)!;
  }

  /** Removes whatever is at `host`, without following it. */
  private remove(host: string): void {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(host);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    if (st.isDirectory()) fs.rmSync(host, { recursive: true, force: true });
    else fs.unlinkSync(host);
    if (st.isDirectory() || st.isSymbolicLink()) this.dir.forget();
  }

  /** Runs `create`; if the name is taken, removes what is there and runs it again. */
  private replacing(host: string, create: () => void): void {
    try {
      create();
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      this.remove(host);
      create();
    }
  }

  private file(parts: string[], e: TarEntry): void {
    const host = path.join(this.parent(parts), parts[parts.length - 1]);
    // O_EXCL: never writes through a symlink or into a file hardlinked from elsewhere.
    this.replacing(host, () => {
      this.fd = fs.openSync(host, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    });
  }

  private mkdir(parts: string[], e: TarEntry): void {
    const host = path.join(this.parent(parts), parts[parts.length - 1]);
    try {
      fs.mkdirSync(host, 0o700);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      // An existing folder merges with this one; anything else is replaced.
      if (!fs.lstatSync(host).isDirectory()) {
        this.remove(host);
        fs.mkdirSync(host, 0o700);
      }
    }
    fs.chmodSync(host, this.mode(e, 'dir'));
    this.dirTimes.set(host, e.mtime);
    this.counts.dirs++;
  }

  private symlink(parts: string[], e: TarEntry): void {
    const host = path.join(this.parent(parts), parts[parts.length - 1]);
    this.replacing(host, () => fs.symlinkSync(e.linkname, host));
    fs.lutimesSync(host, e.mtime, e.mtime);
    this.counts.symlinks++;
  }

  private hardlink(parts: string[], e: TarEntry): void {
    // The target is another member of the archive (or of a lower layer): same rules as names.
    const target = memberParts(e.linkname, `the target of hardlink "${e.name}" ("${e.linkname}")`);
    const targetDir = target.length > 0 ? this.dir.folder(target.slice(0, -1), false) : null;
    const host = path.join(this.parent(parts), parts[parts.length - 1]);
    if (targetDir === null) {
      this.counts.skippedLinks++;
      return;
    }
    const targetHost = path.join(targetDir, target[target.length - 1]);
    if (targetHost === host) return;
    try {
      // link(2) does not follow a symlink target: a link to a symlink is a second symlink.
      this.replacing(host, () => fs.linkSync(targetHost, host));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      this.counts.skippedLinks++;
      return;
    }
    this.counts.hardlinks++;
  }

  private markLayer(parts: string[]): void {
    let key = '';
    for (const p of parts) {
      key = key ? `${key}/${p}` : p;
      this.layerPaths.add(key);
    }
  }

  private whiteout(parts: string[]): void {
    const folderParts = parts.slice(0, -1);
    const name = parts[parts.length - 1];
    this.markLayer(folderParts); // the folder holding a whiteout exists in this layer
    const folder = this.dir.folder(folderParts, false);
    if (name.startsWith(WH + WH) && name !== OPAQUE) return; // aufs bookkeeping (.wh..wh.plnk…)
    this.counts.whiteouts++;
    if (folder === null) return; // nothing below to hide
    try {
      if (name === OPAQUE) {
        this.clearLower(folderParts.join('/'), folder);
      } else {
        const hidden = name.slice(WH.length);
        if (hidden === '' || hidden === '.' || hidden === '..') {
          throw new ImportError(`refusing the archive: "${this.current?.name}" is not a valid whiteout`);
        }
        const key = [...folderParts, hidden].join('/');
        // A whiteout hides lower layers only, never what its own layer wrote.
        if (!this.layerPaths.has(key)) this.remove(path.join(folder, hidden));
      }
    } catch (err) {
      if (err instanceof ImportError) throw err;
      throw new ImportError(`cannot apply the whiteout "${this.current?.name}": ${reason(err)}`);
    }
  }

  /** Removes from `host` everything this layer did not write (opaque whiteout). */
  private clearLower(key: string, host: string): void {
    for (const d of fs.readdirSync(host, { withFileTypes: true })) {
      const childKey = key ? `${key}/${d.name}` : d.name;
      const child = path.join(host, d.name);
      if (!this.layerPaths.has(childKey)) this.remove(child);
      else if (d.isDirectory()) this.clearLower(childKey, child);
    }
  }
}
