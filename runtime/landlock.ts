// Landlock for the sandboxed command: the ABI this kernel offers, the ruleset (built here in the
// supervisor with direct syscalls: one path_beneath rule per grant), and the injection of
// landlock_restrict_self into the stub, which inherits the ruleset's fd, before the seccomp filter
// is installed. After this, the kernel refuses what the rules do not grant, whatever the
// supervisor was shown: a racing thread that rewrites a path after the supervisor looked gains
// nothing. (Building the ruleset inside the stub would cost three injected syscalls per rule,
// each two ptrace stops: ~9 ms of every start-up.)
import { hostArch } from '../arch/index.js';
import { allocNative, lastErrno, syscall6 } from './ffi.js';
import type { Injector } from './inject.js';
import { LaunchError } from './launch.js';
import type { LandlockPlan } from './landlock-rules.js';

const sys = hostArch().syscalls;
const LANDLOCK_CREATE_RULESET_VERSION = 1;
const LANDLOCK_RULE_PATH_BENEATH = 1;
const O_PATH = 0o10000000, O_CLOEXEC = 0o2000000;
const AT_FDCWD = BigInt.asUintN(64, -100n);

/**
 * The Landlock ABI version of this kernel; 0 when Landlock is absent or disabled.
 * TSBOX_LANDLOCK_MAX_ABI caps it, to see what tsbox does on an older kernel (tests use it).
 */
export function landlockAbi(): number {
  const r = syscall6(sys.landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0);
  const cap = Number(process.env.TSBOX_LANDLOCK_MAX_ABI ?? Infinity);
  return Math.max(0, Math.min(r < 0 ? 0 : r, Number.isNaN(cap) ? Infinity : cap));
}

/** The struct landlock_ruleset_attr size each ABI understands. */
const attrSize = (abi: number) => (abi >= 6 ? 24 : abi >= 4 ? 16 : 8);

const attr = allocNative(24);
const rule = allocNative(12); // struct landlock_path_beneath_attr is packed: u64 allowed_access + s32 parent_fd
const pathBuf = allocNative(4097);
const closeFd = (fd: number) => syscall6(sys.close, fd, 0, 0, 0, 0, 0);

/** Builds the ruleset in the supervisor; returns its fd (close-on-exec: launch passes it on). */
export function createRuleset(plan: LandlockPlan, abi: number): number {
  attr.view.setBigUint64(0, plan.handledFs, true);
  attr.view.setBigUint64(8, plan.handledNet, true);
  attr.view.setBigUint64(16, plan.scoped, true);
  const ruleset = syscall6(sys.landlock_create_ruleset, attr.addr, attrSize(abi), 0, 0, 0, 0);
  if (ruleset < 0) throw new LaunchError(`landlock_create_ruleset failed: errno ${lastErrno()}`);
  try {
    for (const g of plan.grants) {
      const n = pathBuf.bytes.write(g.host, 'latin1');
      if (n >= 4096) continue;
      pathBuf.bytes[n] = 0;
      const fd = syscall6(sys.openat, AT_FDCWD, pathBuf.addr, O_PATH | O_CLOEXEC, 0, 0, 0);
      if (fd < 0) continue; // vanished since it was listed: nothing to grant
      rule.view.setBigUint64(0, g.rights, true);
      rule.view.setInt32(8, fd, true);
      const r = syscall6(sys.landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, rule.addr, 0, 0, 0);
      const errno = lastErrno();
      closeFd(fd);
      if (r < 0) throw new LaunchError(`landlock_add_rule(${g.host}) failed: errno ${errno}`);
    }
  } catch (e) {
    closeFd(ruleset);
    throw e;
  }
  return ruleset;
}

/** Closes the supervisor's copy of a ruleset fd once the stub has its own. */
export const closeRuleset = closeFd;

/** In the stopped stub: restrict itself with the ruleset it inherited, then close that fd. */
export function injectRestrict(inj: Injector, ruleset: number): void {
  const r = inj.call('landlock_restrict_self', ruleset, 0);
  if (r < 0) throw new LaunchError(`landlock_restrict_self failed in the sandbox: errno ${-r}`);
  inj.call('close', ruleset);
}
