// Which handlers a plan needs. Only what the policy asks for is trapped: a policy without paths
// or root traps no path syscall, one without remaps traps no id call.
import type { Supervisor } from '../supervisor.js';
import { installCwdHandler } from './cwd.js';
import { installPathHandlers } from './path-syscalls.js';
import { installRemapHandlers } from './remap.js';
import { installUnixSocketHandlers } from './unix-sockets.js';

export function installHandlers(sv: Supervisor): void {
  installRemapHandlers(sv); // first: a remap decides before any translation happens
  if (sv.plan.paths.length > 0 || sv.plan.root !== null) {
    installPathHandlers(sv);
    installUnixSocketHandlers(sv);
    installCwdHandler(sv);
  }
}
