// Landlock in the sandboxed command: the ABI this kernel offers, and the injection of a ruleset
// (create, one path_beneath rule per grant, restrict_self) into the stub before the seccomp filter
// is installed. After this, the kernel refuses what the rules do not grant, whatever the
// supervisor was shown: a racing thread that rewrites a path after the supervisor looked gains
// nothing.
import { hostArch } from '../arch/index.js';
import { syscall6 } from './ffi.js';
import type { Injector } from './inject.js';
import type { ScratchArea } from './launch.js';
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

export function injectLandlock(inj: Injector, scratch: ScratchArea, plan: LandlockPlan, abi: number): void {
  const must = (what: string, r: number) => {
    if (r < 0) throw new LaunchError(`landlock: ${what} failed in the sandbox: errno ${-r}`);
    return r;
  };
  const attr = new Uint8Array(24);
  const view = new DataView(attr.buffer);
  view.setBigUint64(0, plan.handledFs, true);
  view.setBigUint64(8, plan.handledNet, true);
  view.setBigUint64(16, plan.scoped, true);
  // Layout in the scratch mapping (the seccomp program is written there only after this is
  // done): the attr, one path_beneath struct, and a string area reused for each path.
  const attrAt = scratch.write(0, attr.subarray(0, attrSize(abi)));
  const ruleset = must('landlock_create_ruleset', inj.call('landlock_create_ruleset', attrAt, attrSize(abi), 0));
  const ruleAt = 64;
  const pathAt = 128;
  for (const g of plan.grants) {
    const path = Buffer.from(`${g.host}\0`, 'latin1');
    if (path.length > 4096) continue;
    const pathAddr = scratch.write(pathAt, path);
    const fd = inj.call('openat', AT_FDCWD, pathAddr, O_PATH | O_CLOEXEC, 0);
    if (fd < 0) continue; // vanished since it was listed: nothing to grant
    const rule = new Uint8Array(12); // struct landlock_path_beneath_attr is packed: u64 + s32
    const rv = new DataView(rule.buffer);
    rv.setBigUint64(0, g.rights, true);
    rv.setInt32(8, fd, true);
    const r = inj.call('landlock_add_rule', ruleset, LANDLOCK_RULE_PATH_BENEATH, scratch.write(ruleAt, rule), 0);
    inj.call('close', fd);
    must(`landlock_add_rule(${g.host})`, r);
  }
  must('landlock_restrict_self', inj.call('landlock_restrict_self', ruleset, 0));
  inj.call('close', ruleset);
}

