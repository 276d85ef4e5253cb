// Denials every sandbox gets, whatever the policy says: kernel interfaces that would let a
// program get around the supervisor or attack the host. They run in the kernel (seccomp), before
// the policy's own rules. Each has its reason; docs/SECURITY.md lists them for reviewers.
import { hostArch, ERRNO } from '../arch/index.js';
import type { DenyRule, Plan, ScalarCondition } from '../policy/plan.js';

const TIOCSTI = 0x5412; // push bytes into a terminal's input queue: types commands into the caller's shell
const TIOCLINUX = 0x541c; // virtual console tricks, including pasting into a console
const PERSONALITY_QUERY = 0xffffffff;

interface Baseline {
  syscalls: string[];
  args?: ScalarCondition[];
  errno: keyof typeof ERRNO;
  reason: string;
}

// Namespace flags. A new user namespace makes the program root in it, and that root can
// chroot() or mount: then the kernel's "/" is no longer the one tsbox translates against, and
// chroot is not something Landlock restricts. CLONE_NEWTIME shares its bit with clone()'s exit
// signal, so it is checked for unshare only.
const NAMESPACE_FLAGS: Record<string, number> = {
  CLONE_NEWNS: 0x00020000, CLONE_NEWCGROUP: 0x02000000, CLONE_NEWUTS: 0x04000000, CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000,
};
const CLONE_NEWTIME = 0x80;
const NS_REASON = 'new namespaces: a user namespace gives root inside it, whose chroot/mount would move "/" from under the supervisor';
const flagRule = (syscall: string, bit: number): Baseline => ({
  syscalls: [syscall], args: [{ index: 0, op: 'masked_eq', value: String(bit), mask: String(bit) }], errno: 'EPERM', reason: NS_REASON,
});

export const BASELINE: readonly Baseline[] = [
  ...Object.values(NAMESPACE_FLAGS).map((bit) => flagRule('clone', bit)),
  ...[...Object.values(NAMESPACE_FLAGS), CLONE_NEWTIME].map((bit) => flagRule('unshare', bit)),
  { syscalls: ['setns'], errno: 'EPERM', reason: NS_REASON },
  // clone3 passes its flags in memory, out of seccomp's sight. ENOSYS makes glibc and others
  // fall back to clone(), whose flags the rules above can see.
  { syscalls: ['clone3'], errno: 'ENOSYS', reason: 'its flags are in memory where seccomp cannot check them; callers fall back to clone()' },
  { syscalls: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'], errno: 'EPERM',
    reason: 'io_uring performs opens, connects and more from kernel threads that seccomp and ptrace never see' },
  { syscalls: ['userfaultfd'], errno: 'EPERM',
    reason: 'lets a program stall the kernel mid-copy, the classic way to win races against the supervisor' },
  { syscalls: ['open_by_handle_at'], errno: 'EPERM',
    reason: 'opens a file by handle, with no path for the supervisor or Landlock path rules to check' },
  { syscalls: ['bpf'], errno: 'EPERM', reason: 'kernel attack surface; nothing a build needs' },
  { syscalls: ['perf_event_open'], errno: 'EPERM', reason: 'kernel attack surface and a side channel on other processes' },
  { syscalls: ['add_key', 'request_key', 'keyctl'], errno: 'EPERM',
    reason: 'the kernel keyring is shared with the host user: keys there are not the sandbox\'s' },
  { syscalls: ['ptrace', 'process_vm_writev'], errno: 'EPERM',
    reason: 'the sandbox is already traced; tracing or writing other processes is how one escapes a tracer' },
  { syscalls: ['personality'], args: [{ index: 0, op: 'ne', value: String(PERSONALITY_QUERY) }, { index: 0, op: 'ne', value: '0' }], errno: 'EPERM',
    reason: 'personality flags (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, 32-bit emulation) weaken the process; querying stays allowed' },
  { syscalls: ['ioctl'], args: [{ index: 1, op: 'eq', value: String(TIOCSTI) }], errno: 'EPERM',
    reason: 'TIOCSTI injects keystrokes into the terminal the sandbox shares with the user\'s shell' },
  { syscalls: ['ioctl'], args: [{ index: 1, op: 'eq', value: String(TIOCLINUX) }], errno: 'EPERM',
    reason: 'TIOCLINUX can paste into a virtual console shared with the host' },
  // Under `identity:` the remaps answer every chroot (compile.ts) and it never gets here.
  { syscalls: ['chroot'], errno: 'EPERM',
    reason: 'chroot moves the kernel\'s "/" from under the supervisor (a real root running tsbox could); Landlock does not restrict it' },
  { syscalls: ['kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff', 'acct', 'quotactl'],
    errno: 'EPERM', reason: 'administration of the host kernel; refused for non-root anyway, refused here for root too' },
];

/**
 * The baseline as plan deny rules (syscalls this kernel's table lacks are skipped). Calls the
 * plan's remaps answer in the supervisor (chroot under `identity:`) are left to them: they never
 * reach the kernel either.
 */
export function baselineRules(plan: Plan): DenyRule[] {
  const table = hostArch().syscalls;
  const remapped = new Set(plan.syscalls.remap.filter((r) => r.origin === 'identity').flatMap((r) => r.syscalls.map((s) => s.name)));
  return BASELINE.map((b) => ({
    syscalls: b.syscalls.filter((n) => table[n] !== undefined && !remapped.has(n)).map((name) => ({ name, nr: table[name] })),
    args: b.args ?? [],
    action: { kind: 'errno' as const, errno: ERRNO[b.errno], errnoName: b.errno },
    source: `baseline: ${b.reason}`,
  }));
}
