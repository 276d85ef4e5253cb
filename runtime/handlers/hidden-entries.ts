// `access: none` hides a path from listings too: getdents64 (and the old getdents) on the folder
// that holds a hidden entry is let through, and at its exit stop the hidden names are cut out of
// the buffer. Only folders that hold a hidden entry cost the extra stop.
//
// A hidden path that does not exist when the sandbox starts has no name to cut, so it costs
// nothing: when no hidden path exists, the listing calls are not trapped at all (find, ls -R and
// every build tool list folders all the time). The sandbox cannot create it later (ENOENT from the
// supervisor, and Landlock refuses new entries in its folder); only a process outside the sandbox
// creating it mid-run would make its name (never its contents) show in listings.
import { lstatSync } from 'node:fs';
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { hostLink } from './bases.js';

/** Guest folder → names hidden in it, for hidden paths that exist on the host. */
function hiddenByFolder(sv: Supervisor): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const rule of sv.plan.paths) {
    if (rule.access !== 'none' || rule.guest === '/') continue;
    if (!existsOnHost(sv.translator.hostOf(rule))) continue;
    const cut = rule.guest.lastIndexOf('/');
    const folder = cut === 0 ? '/' : rule.guest.slice(0, cut);
    const name = Buffer.from(rule.guest.slice(cut + 1), 'utf8').toString('latin1');
    map.set(folder, (map.get(folder) ?? new Set()).add(name));
  }
  return map;
}

function existsOnHost(host: string): boolean {
  try {
    lstatSync(host);
    return true;
  } catch (e) {
    // Only "no such entry" means nothing to hide; a folder we cannot search may hold it.
    const code = (e as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/**
 * The two record layouts: linux_dirent64 is d_ino u64, d_off s64, d_reclen u16, d_type u8,
 * d_name[]; the old linux_dirent is d_ino, d_off (longs), d_reclen u16, d_name[], and d_type in
 * the record's last byte.
 */
const NAME_OFFSET = { getdents64: 19, getdents: 18 } as const;

export function installHiddenEntryFilter(sv: Supervisor): void {
  const hidden = hiddenByFolder(sv);
  if (hidden.size === 0) return;
  const filterFor = (nameOffset: number) => (s: Supervisor, t: Tracee): boolean => {
    const host = hostLink(`/proc/${t.pid}/fd/${s.regs.argInt(0)}`);
    const guest = host === null ? null : s.translator.toGuest(host);
    const names = guest === null ? undefined : hidden.get(guest);
    if (!names) return false;
    const buf = s.regs.arg(1);
    return s.runThen(t, (result) => {
      if (result <= 0) return;
      const data = s.memory.read(t.pid, buf, result);
      if (data === null) {
        // Fail closed: a listing that cannot be filtered is not shown at all.
        s.regs.result = -ERRNO.EIO;
        s.regs.store(t.pid);
        return;
      }
      const view = new DataView(data.buffer, data.byteOffset, result);
      const kept: Uint8Array[] = [];
      for (let at = 0; at < result; ) {
        const reclen = view.getUint16(at + 16, true);
        const nameEnd = data.indexOf(0, at + nameOffset);
        const name = Buffer.from(data.subarray(at + nameOffset, nameEnd)).toString('latin1');
        if (!names.has(name)) kept.push(data.slice(at, at + reclen));
        at += reclen;
      }
      const out = Buffer.concat(kept);
      if (out.length === result) return;
      s.memory.write(t.pid, buf, out);
      s.regs.result = out.length;
      s.regs.store(t.pid);
    });
  };
  const { syscalls } = hostArch();
  sv.on(syscalls.getdents64, filterFor(NAME_OFFSET.getdents64));
  if (syscalls.getdents !== undefined) sv.on(syscalls.getdents, filterFor(NAME_OFFSET.getdents));
}
