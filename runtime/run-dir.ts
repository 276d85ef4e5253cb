// A private host folder for the length of one run, for what the kernel must find by path on a
// guest program's behalf when it runs through the guest's own loader (under `root:`):
//   - loader links: <dir>/<n>/<program name> → the guest's ld.so. Exec'ing the loader through a
//     link named like the program gives the process the program's name (/proc/PID/comm, what
//     ps, top, pgrep and killall show): the kernel names a process after the file name exec
//     was given, not after the file reached.
//   - command-line snapshots: /proc/PID/cmdline of such a process lists the loader's own
//     arguments (ld.so --argv0 NAME PROGRAM ARGS…); an open of it is pointed at a snapshot
//     without them, removed as soon as the open is done (the program reads its open fd).
// The folder is 0700 and the user's own; Landlock lets the sandbox read files in it and
// nothing else (the links' targets are checked where they lie). Removed when the run ends.
// Without Landlock (enforcement: best-effort) the sandbox, being the same user, could write
// here: nothing is created through an existing name.
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { lookupHost } from './host-fs.js';

const MAX_REMEMBERED = 4096;

export class RunDir {
  private readonly loaders = new Map<string, string>();
  private readonly links = new Set<string>();
  private snapshots = 0;
  /**
   * Snapshot file → the /proc path it stands for, for readlink of the fd it was opened as. The
   * newest MAX_REMEMBERED only (htop reads every cmdline on every refresh): an fd kept open
   * across that many later opens shows its host path.
   */
  private readonly originals = new Map<string, string>();

  /**
   * The folder itself, held open: Landlock's grant is for this folder, not for one made again
   * later under the same name (a /tmp cleaner may remove it during a long run). Held open, its
   * inode cannot be reused by another folder either.
   */
  private readonly fd: number;

  private constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** True while the folder the sandbox may read is still the one at `path`. */
  private intact(): boolean {
    try {
      const held = fstatSync(this.fd);
      const now = statSync(this.path);
      return held.nlink > 0 && held.ino === now.ino && held.dev === now.dev;
    } catch {
      return false;
    }
  }

  /** The run's folder; null (with a warning) when none can be made: programs then run under the loader's name. */
  static create(logger: Logger): RunDir | null {
    try {
      return new RunDir(mkdtempSync(join(tmpdir(), 'tsbox-run-')));
    } catch (e) {
      logger.warn({ folder: tmpdir(), error: (e as Error).message },
        'cannot create the run folder (set TMPDIR to a writable folder): ps and /proc/PID/cmdline will show the guest loader instead of the programs');
      return null;
    }
  }

  /**
   * A host path that execs `loaderHost` under the name `name` (a file name as exec was given it,
   * no slash), or the loader itself when the name cannot be a file name.
   */
  loaderLink(loaderHost: string, name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return loaderHost;
    let folder = this.loaders.get(loaderHost);
    if (folder === undefined) {
      folder = join(this.path, String(this.loaders.size));
      this.loaders.set(loaderHost, folder);
    }
    const link = `${folder}/${name}`;
    // One lstat per exec: a /tmp cleaner may have removed the folder during a long run.
    if (this.links.has(link) && lookupHost(link) === 'symlink') return link;
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      symlinkSync(Buffer.from(loaderHost, 'latin1'), Buffer.from(link, 'latin1'));
    } catch {
      // A full disk, or the name exists and is not ours: never follow what someone else put
      // here. The program runs under the loader's name.
      return loaderHost;
    }
    this.links.add(link);
    return link;
  }

  /** Writes `bytes` to a new read-only file standing for `original`; its host path, or null. */
  snapshot(bytes: Uint8Array, original: string): string | null {
    const file = join(this.path, `cmdline-${this.snapshots++}`);
    try {
      if (!this.intact()) return null; // removed or made again: the sandbox may not read it
      writeFileSync(file, bytes, { mode: 0o400, flag: 'wx' }); // never through a planted link
    } catch {
      return null; // the program then reads the kernel's own cmdline
    }
    this.originals.set(file, original);
    if (this.originals.size > MAX_REMEMBERED) this.originals.delete(this.originals.keys().next().value!);
    return file;
  }

  /** What a link to a file in this folder shows the guest (/proc/self/fd/N), or null if not ours. */
  shownAs(hostTarget: string): string | null {
    if (!hostTarget.startsWith(`${this.path}/`)) return null;
    return this.originals.get(hostTarget.replace(/ \(deleted\)$/, '')) ?? null;
  }

  forget(file: string): void {
    try {
      unlinkSync(file);
    } catch { /* already gone: nothing to do */ }
  }

  dispose(): void {
    closeSync(this.fd);
    rmSync(this.path, { recursive: true, force: true }); // a folder made again holds only our links
  }
}
