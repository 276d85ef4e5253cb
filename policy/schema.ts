// The policy format users write (docs: /work/shared/design/POLICY.md, version 1), as a zod schema.
// Every object is strict: an unknown key is an error, because a typo ("acess: ro") must never
// silently weaken a sandbox. Checks that need only the value itself (names, units, constants)
// live here so their errors carry a key path; checks that need the disk (host paths exist) or
// the whole list (duplicate guest paths) live in compile.ts.
import { posix } from 'node:path';
import { z } from 'zod';
import { ERRNO, hostArch } from '../arch/index.js';
import { parseArgValue } from './constants.js';
import { didYouMean } from './suggest.js';
import { parseDuration, parseSize } from './units.js';

type Ctx = z.core.$RefinementCtx;

/** Adds a custom issue; `hint` travels in params and becomes the diagnostic's hint. */
function fail(ctx: Ctx, message: string, hint = '', path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, params: { hint }, path, input: undefined });
}

// ---- names --------------------------------------------------------------------------------

const errnoNames = Object.keys(ERRNO) as [string, ...string[]];
/** errno names are the kernel's; the loader turns a near miss into "did you mean". */
export const ErrnoName = z.enum(errnoNames).describe('An errno name, e.g. EPERM, EACCES, ENOENT');

/** A syscall name from this machine's table (arch/); numbers differ per architecture. */
export const SyscallName = z
  .string()
  .describe('A syscall name as the kernel spells it, e.g. openat')
  .superRefine((name, ctx) => {
    const arch = hostArch();
    if (Object.hasOwn(arch.syscalls, name)) return;
    fail(ctx, `unknown syscall "${name}"`, didYouMean(name, Object.keys(arch.syscalls), `no syscall of that name on ${arch.name}`));
  });

const SyscallList = z
  .union([SyscallName, z.array(SyscallName).min(1)])
  .describe('One syscall name or a list of them');

// ---- paths --------------------------------------------------------------------------------

/** Guest paths are what the sandboxed program names: always absolute, never relative. */
export const GuestPath = z
  .string()
  .describe('An absolute path as the sandboxed program sees it')
  .superRefine((p, ctx) => {
    if (p.includes('\0')) fail(ctx, 'a path cannot contain a NUL byte');
    else if (!p.startsWith('/')) fail(ctx, `guest path "${p}" is not absolute`, `write it from the guest's "/", e.g. "/${p.replace(/^\.?\/*/, '')}"`);
  });

/** A host path: absolute, or relative to the folder that holds the policy file. */
const HostPath = z
  .string()
  .min(1)
  .describe("A host path; relative paths are relative to the policy file's folder")
  .superRefine((p, ctx) => {
    if (p.includes('\0')) fail(ctx, 'a path cannot contain a NUL byte');
  });

const Access = z
  .enum(['rw', 'ro', 'none'])
  .describe('rw: read and write; ro: read only; none: hidden (ENOENT), listing included');

const PathEntry = z
  .strictObject({
    guest: GuestPath,
    host: HostPath.optional(),
    // rw by default, like a Docker/OCI bind mount without options.
    access: Access.default('rw'),
  })
  .superRefine((e, ctx) => {
    if (e.host !== undefined && e.access === 'none') {
      fail(ctx, 'a hidden path (access: none) shows nothing, so "host" has no effect', 'remove "host", or choose access: ro / rw', ['host']);
    }
    if (e.host !== undefined && typeof e.guest === 'string' && posix.normalize(e.guest).replace(/\/+$/, '') === '') {
      fail(ctx, 'binding a host folder at the guest "/" is what "root" is for', 'move the host path to the top-level "root:" key', ['guest']);
    }
  });

// ---- process ------------------------------------------------------------------------------

const EnvName = z
  .string()
  .min(1)
  .superRefine((n, ctx) => {
    if (/[=\0]/.test(n)) fail(ctx, `"${n}" is not an environment variable name`, 'names cannot contain "=" or NUL');
  });

// YAML turns `DEBUG: 1` into a number; an environment only holds strings, so accept and convert.
const Stringish = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const Env = z.strictObject({
  clear: z.boolean().default(false).describe('true: start from an empty environment'),
  set: z.record(EnvName, Stringish).default({}).describe('Variables to set (after clear/unset)'),
  unset: z.array(EnvName).default([]).describe('Variables to remove from the inherited environment'),
});

const Process = z.strictObject({
  args: z
    .array(z.union([z.string(), z.number()]).transform((v) => String(v)))
    .min(1)
    .optional()
    .describe('The command and its arguments; arguments after `--` on the command line win'),
  cwd: GuestPath.optional().describe('Working directory, a guest path'),
  env: Env.optional(),
});

// ---- syscalls -----------------------------------------------------------------------------

const Op = z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq']);
const ArgIndex = z.number().int().min(0).max(5).describe('Argument position, 0..5');
const RawValue = z
  .union([z.number(), z.string()])
  .describe('A number, a constant (AF_UNIX, O_WRONLY|O_CREAT, CLONE_NEWUSER, …) or "0x…"');

function checkScalar(v: number | string, ctx: Ctx): void {
  const r = parseArgValue(v);
  if (!r.ok) fail(ctx, r.message, r.hint);
}

/** A scalar value in a kernel (deny) rule: seccomp sees registers, never the memory behind them. */
const DenyValue = RawValue.superRefine((v, ctx) => {
  if (typeof v === 'string' && v.startsWith('/')) {
    fail(ctx, 'the kernel filter cannot compare paths', 'path conditions are only possible under syscalls.remap');
    return;
  }
  checkScalar(v, ctx);
});

/** In a remap a string starting with "/" is a guest path compared by the supervisor. */
const RemapValue = RawValue.superRefine((v, ctx) => {
  if (typeof v === 'string' && v.startsWith('/')) return;
  checkScalar(v, ctx);
});

function checkMask(a: { op: string; mask?: unknown }, ctx: Ctx): void {
  if (a.op === 'masked_eq' && a.mask === undefined) fail(ctx, 'op masked_eq needs a "mask"', 'add mask: <bits>; the test is (arg & mask) == value', ['mask']);
  if (a.op !== 'masked_eq' && a.mask !== undefined) fail(ctx, `"mask" only applies to op masked_eq (this is ${a.op})`, 'remove mask, or use op: masked_eq', ['mask']);
}

const DenyArg = z
  .strictObject({ index: ArgIndex, op: Op, value: DenyValue, mask: DenyValue.optional() })
  .superRefine(checkMask);

const RemapArg = z
  .strictObject({ index: ArgIndex, op: Op, value: RemapValue, mask: DenyValue.optional() })
  .superRefine((a, ctx) => {
    checkMask(a, ctx);
    if (typeof a.value === 'string' && a.value.startsWith('/') && a.op !== 'eq' && a.op !== 'ne') {
      fail(ctx, `a path can only be compared with eq or ne (not ${a.op})`, '', ['op']);
    }
  });

const DenyRule = z
  .strictObject({
    syscall: SyscallList,
    args: z.array(DenyArg).max(6).optional().describe('All conditions must hold (AND)'),
    errno: ErrnoName.optional().describe('Returned by the kernel; default EPERM'),
    action: z.enum(['errno', 'kill']).default('errno').describe('errno: fail the call; kill: kill the process'),
  })
  .superRefine((r, ctx) => {
    if (r.action === 'kill' && r.errno !== undefined) fail(ctx, 'a killed process sees no errno', 'remove errno, or use action: errno', ['errno']);
  });

const RemapRule = z
  .strictObject({
    syscall: SyscallList,
    args: z.array(RemapArg).max(6).optional().describe('All conditions must hold (AND)'),
    return: z.number().int().optional().describe('Pretend the call succeeded with this result'),
    errno: ErrnoName.optional().describe('Pretend the call failed with this errno'),
  })
  .superRefine((r, ctx) => {
    if ((r.return === undefined) === (r.errno === undefined)) {
      fail(ctx, 'a remap needs exactly one of "return" and "errno"', r.return === undefined ? 'add return: 0, or errno: EPERM' : 'keep only one of them');
    }
    if (r.return !== undefined && r.return < 0 && r.return >= -4095) {
      fail(ctx, `return ${r.return} is how the kernel encodes an errno`, 'write errno: <NAME> instead', ['return']);
    }
  });

const Syscalls = z
  .strictObject({
    default: z.enum(['allow', 'deny']).default('allow').describe('deny: only the "allow" list runs'),
    errno: ErrnoName.optional().describe('With default: deny, the errno of every syscall not allowed'),
    allow: z.array(SyscallName).optional().describe('With default: deny, the syscalls that may run'),
    deny: z.array(DenyRule).default([]).describe('Enforced in the kernel by seccomp; first match wins'),
    remap: z.array(RemapRule).default([]).describe('Emulated by the supervisor in one stop; first match wins'),
  })
  .superRefine((s, ctx) => {
    if (s.default === 'deny' && s.errno === undefined) fail(ctx, 'default: deny needs an errno for the calls it refuses', 'add errno: EPERM (or ENOSYS)', ['errno']);
    if (s.default === 'allow' && s.errno !== undefined) fail(ctx, '"errno" only applies with default: deny', 'remove it; each deny rule has its own errno', ['errno']);
    if (s.default === 'allow' && s.allow !== undefined) fail(ctx, '"allow" only applies with default: deny (everything is allowed already)', 'set default: deny, or remove allow', ['allow']);
  });

// ---- the rest -----------------------------------------------------------------------------

const Id = z.number().int().min(0).max(0xfffffffe);

const Duration = z
  .union([z.number(), z.string()])
  .describe('"30s", "10m", "1h30m", "500ms", or a number of seconds')
  .superRefine((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) fail(ctx, `"${v}" is not a duration`, 'write e.g. 30s, 10m, 1h30m, or a number of seconds');
    else if (ms <= 0) fail(ctx, 'a duration must be greater than zero');
  });

const Size = z
  .union([z.number(), z.string()])
  .describe('"512MiB", "2GiB", "2g" (binary), "1GB" (decimal), or a number of bytes')
  .superRefine((v, ctx) => {
    const b = parseSize(v);
    if (b === null) fail(ctx, `"${v}" is not a size`, 'write e.g. 512MiB, 2GiB, or a number of bytes');
    else if (b <= 0) fail(ctx, 'a size must be greater than zero');
  });

const Count = z.number().int().min(1);

const Limits = z.strictObject({
  timeout: Duration.optional().describe('Wall clock; the whole process tree is killed, exit 124'),
  memory: Size.optional().describe('RLIMIT_AS per process'),
  processes: Count.optional().describe('RLIMIT_NPROC'),
  open_files: Count.optional().describe('RLIMIT_NOFILE'),
  cpu: Duration.optional()
    .describe('RLIMIT_CPU, whole seconds')
    .superRefine((v, ctx) => {
      const ms = v === undefined ? null : parseDuration(v);
      if (ms !== null && ms % 1000 !== 0) fail(ctx, 'RLIMIT_CPU counts whole seconds', 'round it to a whole number of seconds');
    }),
});

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const Log = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  denials: z.boolean().default(false).describe('One structured line per denied or remapped call'),
});

export const PolicySchema = z
  .strictObject({
    version: z.literal(1).describe('The policy format version; 1 is the only one today'),
    name: z.string().min(1).optional().describe("Shown in logs and reports; default: the file's name"),
    root: HostPath.optional().describe('Host folder shown as the guest "/"; absent: the host\'s "/"'),
    process: Process.optional(),
    paths: z.array(PathEntry).default([]).describe('Virtualized paths; the longest matching guest prefix wins'),
    syscalls: Syscalls.optional(),
    identity: z
      .strictObject({ uid: Id, gid: Id })
      .optional()
      .describe('Fake identity (PRoot -0 with 0/0): the id syscalls report it, chown/setuid pretend to work'),
    network: z.enum(['none', 'host']).default('host').describe('none: no IP sockets (enforced in the kernel)'),
    enforcement: z
      .enum(['strict', 'best-effort'])
      .default('strict')
      .describe('strict: refuse to start when the kernel cannot enforce a rule; best-effort: run and warn once'),
    limits: Limits.optional(),
    log: Log.optional(),
  })
  .describe('A tsbox sandbox policy');

/** A policy as validated (defaults filled in, values still as the user wrote them). */
export type Policy = z.output<typeof PolicySchema>;
