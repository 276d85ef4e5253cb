// Syscalls a build or a test run practically never needs and that widen what a compromised
// program can do (mounts, kernel modules and images, tracing, BPF, keyrings, namespaces). `tsbox
// learn` traps them during the observed run (one stop per call, and they are rare) and denies
// in the generated policy every one that was not used.
import { hostArch } from '../../arch/index.js';

export const DANGEROUS_SYSCALLS: readonly string[] = [
  'mount', 'umount2', 'pivot_root', 'chroot', 'move_mount', 'open_tree', 'fsopen', 'fsmount', 'fsconfig', 'fspick',
  'mount_setattr', 'ptrace', 'process_vm_writev', 'bpf', 'perf_event_open', 'userfaultfd', 'kexec_load',
  'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff', 'setns', 'unshare',
  'open_by_handle_at', 'name_to_handle_at', 'keyctl', 'add_key', 'request_key', 'io_uring_setup', 'acct',
  'quotactl', 'lookup_dcookie', 'syslog', 'settimeofday', 'clock_settime', 'adjtimex', 'clock_adjtime',
  'sethostname', 'setdomainname', 'iopl', 'ioperm', 'uselib', 'personality',
].filter((name) => hostArch().syscalls[name] !== undefined);

/** Their numbers on this machine. */
export const dangerousSyscallNumbers = (): number[] => DANGEROUS_SYSCALLS.map((n) => hostArch().syscalls[n]!);
