// `access: none` hides a path from listings too: getdents64 on the folder that holds a hidden
// entry is let through, and at its exit stop the hidden names are cut out of the buffer. Only
// folders that hold a hidden entry cost the extra stop.
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import { hostLink } from './bases.js';

/** Guest folder → names hidden in it. */
function hiddenByFolder(sv: Supervisor): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const rule of sv.plan.paths) {
    if (rule.access !== 'none' || rule.guest === '/') continue;
    const cut = rule.guest.lastIndexOf('/');
    const folder = cut === 0 ? '/' : rule.guest.slice(0, cut);
    const name = Buffer.from(rule.guest.slice(cut + 1), 'utf8').toString('latin1');
    map.set(folder, (map.get(folder) ?? new Set()).add(name));
  }
  return map;
}

export function installHiddenEntryFilter(sv: Supervisor): void {
  const hidden = hiddenByFolder(sv);
  if (hidden.size === 0) return;
  const handler = (s: Supervisor, t: import('../tracee.js').Tracee): boolean => {
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
      // struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name[]
      const view = new DataView(data.buffer, data.byteOffset, result);
      const kept: Uint8Array[] = [];
      for (let at = 0; at < result; ) {
        const reclen = view.getUint16(at + 16, true);
        const nameEnd = data.indexOf(0, at + 19);
        const name = Buffer.from(data.subarray(at + 19, nameEnd)).toString('latin1');
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
  sv.on(hostArch().syscalls.getdents64, handler);
}
