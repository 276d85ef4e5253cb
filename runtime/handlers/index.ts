// Which handlers a plan needs. Only what the policy asks for is trapped: a policy without paths
// or root traps no path syscall, one without remaps traps no id call. Set sv.observer first.
import type { Supervisor } from '../supervisor.js';
import { installCwdHandler } from './cwd.js';
import { installDenyLog } from './deny-log.js';
import { installExecHandlers } from './exec.js';
import { installFdMetadataHandlers } from './fd-metadata.js';
import { installHiddenEntryFilter } from './hidden-entries.js';
import { installPathHandlers } from './path-syscalls.js';
import { installRemapHandlers } from './remap.js';
import { installUnixSocketHandlers } from './unix-sockets.js';

export function installHandlers(sv: Supervisor): void {
  installDenyLog(sv); // first: a denied call is answered before anything else looks at it
  installRemapHandlers(sv); // then remaps, before any translation happens
  // An observer (trace, report, learn) needs to see paths even when the policy maps none.
  if (sv.plan.paths.length > 0 || sv.plan.root !== null || sv.observer !== null) {
    installExecHandlers(sv); // under a guest root exec is planned here, before generic paths
    installPathHandlers(sv);
    installUnixSocketHandlers(sv);
    installCwdHandler(sv);
    installHiddenEntryFilter(sv);
    installFdMetadataHandlers(sv);
  }
}
