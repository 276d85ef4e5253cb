// getcwd in guest terms. The kernel knows the cwd as a host path (/proc/<pid>/cwd); the program
// must see the guest path. Answered in one stop: the supervisor writes the string and skips.
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import { hostLink } from './bases.js';

export function installCwdHandler(sv: Supervisor): void {
  if (!sv.translator.hasMapping) return; // guest and host paths are the same: nothing to fix
  sv.on(hostArch().syscalls.getcwd, (s, t) => {
    const host = hostLink(`/proc/${t.pid}/cwd`);
    if (host === null) return s.skip(t, -ERRNO.ENOENT);
    if (host.endsWith(' (deleted)')) return s.skip(t, -ERRNO.ENOENT);
    const guest = s.translator.toGuest(host) ?? '/';
    const data = Buffer.from(`${guest}\0`, 'latin1');
    if (data.length > s.regs.arg(1)) return s.skip(t, -ERRNO.ERANGE);
    if (!s.memory.write(t.pid, s.regs.arg(0), data)) return s.skip(t, -ERRNO.EFAULT);
    return s.skip(t, data.length);
  });
}
