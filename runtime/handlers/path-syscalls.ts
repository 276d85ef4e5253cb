// The handler for every syscall in path-table.ts: read each path argument from the tracee,
// resolve it in guest terms, apply the `paths` access rules, then either answer the call here
// (queries, see emulate.ts), let it run untouched (the kernel would reach the same file), or
// run it with the host path in place of the guest one.
import { hostArch, ERRNO } from '../../arch/index.js';
import { isMagicLink, type Resolved } from '../paths.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { AT_FDCWD, resolveNamed } from './bases.js';
import { accessErrno } from './access.js';
import { emulate } from './emulate.js';
import { forgetCleanFolders, forgetHeads, lookupHost } from '../host-fs.js';
import { fdChangeErrno } from './fd-metadata.js';
import { PATH_SYSCALLS, type Follow, type Intent, type PathSyscall } from './path-table.js';
import { cmdlineSnapshot } from './proc-cmdline.js';

const arch = hostArch();
const O_ACCMODE = 3, O_CREAT = 0o100, O_TRUNC = 0o1000, O_EXCL = 0o200, O_NOFOLLOW = 0o400000;
const W_OK = 2;

function follows(sv: Supervisor, f: Follow): boolean {
  if (f === 'yes') return true;
  if (f === 'no') return false;
  const flags = sv.regs.argInt(f.arg);
  if (f.unlessSet !== undefined) return (flags & f.unlessSet) === 0;
  return (flags & (f.onlyIfSet ?? 0)) !== 0;
}

const cstring = (s: string): Uint8Array => Buffer.from(`${s}\0`, 'latin1');

function openIntent(flags: number): { intent: Intent; exclusive: boolean } {
  const writes = (flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0;
  return { intent: flags & O_CREAT ? 'create' : writes ? 'write' : 'read', exclusive: (flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL) };
}

function handlePathCall(sv: Supervisor, t: Tracee, nr: number, spec: PathSyscall): boolean {
  const regs = sv.regs;
  const pid = t.pid;
  // Host paths to put in place of the program's, encoded only if the call runs with them (an
  // emulated query never does: no buffer per stop).
  const replacements: Array<[number, string]> = [];
  const isOpen = spec.openFlags !== undefined || spec.openHow !== undefined;
  const snapshots: string[] = [];
  let first: Resolved | null = null;
  let firstFollow = true;
  for (const a of spec.args) {
    const ptr = regs.arg(a.path);
    if (ptr === 0) {
      if (!a.nullable) return sv.skip(t, -ERRNO.EFAULT);
      // utimensat(fd, NULL, …): an operation on the fd itself.
      const errno = a.dirfd === undefined ? 0 : fdChangeErrno(sv, t, regs.argInt(a.dirfd), a.intent);
      if (errno) return sv.skip(t, -errno);
      continue;
    }
    const raw = sv.memory.readPath(pid, ptr);
    if (typeof raw === 'number') return sv.skip(t, -raw);
    if (raw === '' && a.emptyPath && (a.emptyPath.bit === 0 || regs.argInt(a.emptyPath.arg) & a.emptyPath.bit)) {
      // An operation on the fd itself: nothing to translate, but ro/none still hold for changes.
      const errno = a.intent === 'read' || a.intent === 'exec' || a.dirfd === undefined ? 0 : fdChangeErrno(sv, t, regs.argInt(a.dirfd), a.intent);
      return errno ? sv.skip(t, -errno) : false;
    }
    let intent = a.intent;
    let follow = follows(sv, a.follow);
    if (isOpen) {
      let flags: number;
      if (spec.openFlags !== undefined) flags = regs.argInt(spec.openFlags);
      else {
        const how = sv.memory.read(pid, regs.arg(spec.openHow!), 8);
        if (how === null) return sv.skip(t, -ERRNO.EFAULT);
        flags = new DataView(how.buffer, how.byteOffset, 8).getInt32(0, true);
      }
      const open = openIntent(flags);
      intent = open.intent;
      if (open.exclusive || flags & O_NOFOLLOW) follow = false;
    }
    if (spec.accessMode !== undefined && regs.argInt(spec.accessMode) & W_OK) intent = 'write';
    const dirfd = a.dirfd === undefined ? AT_FDCWD : regs.argInt(a.dirfd);
    // The hot case of find, make and ls: a plain name read in a folder the program holds. The
    // folder is visible (it could not have been opened otherwise), the name crosses no rule, so
    // the kernel reaches the same file: no need to know the folder's path at all. Following a
    // final symlink needs one lstat through /proc, which names the folder without a readlink.
    if (intent === 'read' && spec.emulate !== 'readlink' && sv.observer === null && sv.translator.isPlainName(raw) && !(raw === 'cmdline' && sv.runDir)) {
      const inFolder = dirfd === AT_FDCWD ? `/proc/${pid}/cwd/${raw}` : `/proc/${pid}/fd/${dirfd}/${raw}`;
      if (!follow || lookupHost(inFolder) !== 'symlink') continue;
    }
    const r = resolveNamed(sv.translator, pid, raw, dirfd, follow);
    if (typeof r === 'number') return sv.skip(t, -r);
    const denied = accessErrno(r.rule?.access, intent);
    sv.observer?.path(t, nr, r.guest, intent, denied);
    if (denied) {
      sv.log.decision(pid, arch.syscallName(nr), [r.guest], 'denied', intent);
      return sv.skip(t, -denied);
    }
    if ((intent === 'create' || intent === 'delete') && sv.lockedFolders.size > 0) {
      const parent = r.host.slice(0, Math.max(r.host.replace(/\/$/, '').lastIndexOf('/'), 1));
      if (sv.lockedFolders.has(parent)) return sv.refuseInLockedFolder(t, arch.syscallName(nr), r.guest, parent);
    }
    if (intent === 'create' || intent === 'delete') forgetCleanFolders(); // a folder may become a symlink
    if (intent !== 'read' && intent !== 'exec') forgetHeads(); // a program may be rewritten in place
    if (first === null) {
      first = r;
      firstFollow = follow;
    }
    const snapshot = isOpen && intent === 'read' ? cmdlineSnapshot(sv, r.host) : null;
    if (snapshot !== null) {
      replacements.push([a.path, snapshot]);
      snapshots.push(snapshot);
    } else if (r.mapped) replacements.push([a.path, r.host]);
  }
  // A query answered here saves the exit stop a rewrite needs; when nothing needs rewriting the
  // kernel answers it fastest itself. readlink of a /proc magic link is always answered here: its
  // target must be shown in guest terms.
  if (spec.emulate && first && (replacements.length > 0 || (spec.emulate === 'readlink' && (first.magic || isMagicLink(first.host))))) {
    emulate(sv, t, spec.emulate, nr, first, firstFollow);
    return true;
  }
  if (replacements.length === 0) return false;
  sv.runWith(t, replacements.map(([arg, host]) => [arg, cstring(host)]), spec.exec === true);
  // The open has the snapshot (or failed): the file is not needed any more.
  if (snapshots.length > 0 && t.pendingExit) t.pendingExit.after = () => snapshots.forEach((f) => sv.runDir?.forget(f));
  else snapshots.forEach((f) => sv.runDir?.forget(f));
  return true;
}

/** Registers the path handler for every path-taking syscall. */
export function installPathHandlers(sv: Supervisor): void {
  for (const [name, spec] of Object.entries(PATH_SYSCALLS)) {
    const nr = arch.syscalls[name];
    if (nr === undefined) continue;
    sv.on(nr, (s, t) => handlePathCall(s, t, nr, spec));
  }
}
