// The compiled form of a policy: what the runtime enforces. Produced by policy/compile.ts from a
// validated policy; consumed by runtime/. Plain data only (it is posted to the supervisor Worker
// with structured clone), so no classes, functions or Maps here.

export type Access = 'rw' | 'ro' | 'none';

export interface PathRule {
  /** Absolute, normalized guest path ("/work", "/root/.ssh"). Never ends in "/" except "/". */
  guest: string;
  /** Absolute, normalized host path this guest path shows; equal to `guest` for rule-only entries. */
  host: string;
  /** Whether `host` came from the policy (a bind) or is the same path (an access rule only). */
  bind: boolean;
  access: Access;
  /** Where the rule was written, "file:line:column", for messages. */
  source: string;
}

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';

/** A condition on a scalar syscall argument, evaluated in the kernel by the BPF filter. */
export interface ScalarCondition {
  index: number; // 0..5
  op: CompareOp;
  /** Decimal string of an unsigned 64-bit value (bigint does not survive every transport). */
  value: string;
  /** For masked_eq: (arg & mask) == value. Decimal string. */
  mask?: string;
}

/** A condition a remap may put on an argument: a scalar, or a path compared in guest terms. */
export type RemapCondition =
  | ({ kind: 'scalar' } & ScalarCondition)
  | { kind: 'path'; index: number; op: 'eq' | 'ne'; path: string };

export interface SyscallRef {
  name: string;
  nr: number;
}

export type DenyAction = { kind: 'errno'; errno: number; errnoName: string } | { kind: 'kill' };

export interface DenyRule {
  syscalls: SyscallRef[];
  args: ScalarCondition[];
  action: DenyAction;
  source: string;
}

export type RemapResult = { kind: 'return'; value: number } | { kind: 'errno'; errno: number; errnoName: string };

export interface RemapRule {
  syscalls: SyscallRef[];
  args: RemapCondition[];
  result: RemapResult;
  /** 'policy' for rules the user wrote, 'identity' for the ones `identity:` expanded to. */
  origin: 'policy' | 'identity' | 'network';
  source: string;
}

export interface Limits {
  timeoutMs?: number;
  memoryBytes?: number;
  processes?: number;
  openFiles?: number;
  cpuSeconds?: number;
}

export interface Plan {
  version: 1;
  name: string;
  /** Absolute path of the policy file, and the sha256 of its bytes (for reports). */
  policyFile: string;
  policyDigest: string;
  /** Absolute host folder that is the guest "/", or null: the guest sees the host's "/". */
  root: string | null;
  process: {
    args: string[] | null;
    /** Guest path, or null: the caller's cwd (translated to guest terms when possible). */
    cwd: string | null;
    env: { clear: boolean; set: Record<string, string>; unset: string[] };
  };
  /** Sorted by guest path length, longest first, so the first match is the longest prefix. */
  paths: PathRule[];
  syscalls: {
    default: 'allow' | 'deny';
    /** errno returned by syscalls outside the allow-list when default is deny. */
    defaultErrno: number | null;
    /** Allowed syscalls when default is deny. */
    allow: SyscallRef[];
    /** Kernel-enforced denials, in policy order (first match wins in the filter). */
    deny: DenyRule[];
    /** Supervisor-emulated results, in policy order (first match wins). */
    remap: RemapRule[];
  };
  identity: { uid: number; gid: number } | null;
  network: 'none' | 'host';
  /** strict: refuse to start when the kernel (Landlock) cannot enforce a rule; best-effort: warn. */
  enforcement: 'strict' | 'best-effort';
  limits: Limits;
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'; denials: boolean };
}
