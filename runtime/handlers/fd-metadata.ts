// Metadata changes through an open fd: fchmod, fchown, fsetxattr, fremovexattr, and the
// AT_EMPTY_PATH / NULL-path forms of the *at calls. Landlock has no right for chmod, chown,
// times or xattrs, so for `access: ro` (and none) the supervisor refuses them itself, judging by
// the file the fd refers to (/proc/<pid>/fd/N). This check is the supervisor's alone: a thread
// that swaps the fd (dup2) between the check and the call can get around it (docs/SECURITY.md).
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { hostLink } from './bases.js';
import type { Intent } from './path-table.js';
import { accessErrno } from './access.js';

const DELETED = ' (deleted)';

/** The errno for changing what `fd` refers to, or 0. */
export function fdChangeErrno(sv: Supervisor, t: Tracee, fd: number, intent: Intent): number {
  let host = hostLink(`/proc/${t.pid}/fd/${fd}`);
  if (host === null || !host.startsWith('/')) return 0; // a pipe, socket or bad fd: the kernel decides
  if (host.endsWith(DELETED)) host = host.slice(0, -DELETED.length);
  return accessErrno(sv.translator.ruleForHost(host)?.access, intent);
}

export function installFdMetadataHandlers(sv: Supervisor): void {
  if (!sv.plan.paths.some((p) => p.access !== 'rw')) return;
  const sys = hostArch().syscalls;
  for (const name of ['fchmod', 'fchown', 'fsetxattr', 'fremovexattr']) {
    sv.on(sys[name], (s, t) => {
      const errno = fdChangeErrno(s, t, s.regs.argInt(0), 'write');
      if (!errno) return false;
      s.log.decision(t.pid, name, [s.regs.argInt(0)], 'denied', 'write');
      return s.skip(t, -errno);
    });
  }
}
