// A validated policy → the Plan the runtime enforces (policy/plan.ts). Resolves host paths
// against the policy file's folder (never the caller's cwd), turns names into numbers for this
// architecture, and expands the shorthands (`identity`, `network: none`) into plain rules.
// Problems only the disk can reveal (a host path that does not exist) are reported here.
import { realpathSync, statSync } from 'node:fs';
import { dirname, parse as parsePath, posix, resolve } from 'node:path';
import { ERRNO, hostArch } from '../arch/index.js';
import { CONSTANTS, parseArgValue } from './constants.js';
import { PolicyError, formatKeyPath, type Diagnostic } from './errors.js';
import type { Locate } from './locate.js';
import type {
  DenyRule,
  PathRule,
  Plan,
  RemapCondition,
  RemapRule,
  ScalarCondition,
  SyscallRef,
} from './plan.js';
import type { Policy } from './schema.js';
import { parseDuration, parseSize } from './units.js';

export interface CompileContext {
  /** The policy file as the user named it: used in messages and `source` fields. */
  file: string;
  /** Absolute path of the policy file; its folder anchors relative host paths. */
  policyFile: string;
  /** sha256 hex of the file's bytes. */
  digest: string;
  /** Where a key path is in the file; without it, sources say line 1. */
  locate?: Locate;
  /** Told of every host path checked on disk (for the plan cache to check it again). */
  onHostPath?: (check: HostPathCheck) => void;
}

/** A host path as the policy named it (absolute), what it resolved to, and whether it is a folder. */
export interface HostPathCheck {
  abs: string;
  real: string;
  folder: boolean;
}

/** Lexically normalized absolute guest path: no ".", "..", "//" or trailing "/". */
export function normalizeGuestPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

export function compilePolicy(policy: Policy, ctx: CompileContext): Plan {
  const locate: Locate = ctx.locate ?? (() => ({ line: 1, column: 1 }));
  const source = (path: PropertyKey[], target: 'key' | 'value' = 'value') => {
    const p = locate(path, target);
    return `${ctx.file}:${p.line}:${p.column}`;
  };
  const problems: Diagnostic[] = [];
  const problem = (path: PropertyKey[], message: string, hint: string) => {
    const p = locate(path, 'value');
    problems.push({ file: ctx.file, line: p.line, column: p.column, path: formatKeyPath(path), message, hint });
  };
  const baseDir = dirname(ctx.policyFile);

  /** Resolves and realpaths a host path (so a symlinked host works); null after reporting. */
  const hostPath = (raw: string, at: PropertyKey[], mustBeDir: boolean): string | null => {
    const abs = resolve(baseDir, raw);
    try {
      const real = realpathSync(abs);
      if (mustBeDir && !statSync(real).isDirectory()) {
        problem(at, `host path "${raw}" is not a folder (${real})`, 'root must be a folder that holds the guest filesystem');
        return null;
      }
      ctx.onHostPath?.({ abs, real, folder: mustBeDir });
      return real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      const what = code === 'ENOENT' ? 'does not exist' : `cannot be used (${code})`;
      let hint = raw.startsWith('/') ? 'create it, or fix the path' : `relative host paths are relative to the policy file's folder (${baseDir})`;
      if (raw.startsWith('~')) hint = '"~" is not expanded; write the full path';
      problem(at, `${at[0] === 'root' ? 'root folder' : 'host path'} "${raw}" ${what} (looked for ${abs})`, hint);
      return null;
    }
  };

  const root = policy.root === undefined ? null : hostPath(policy.root, ['root'], true);
  const paths = compilePaths(policy, hostPath, problem, source);
  if (problems.length > 0) throw new PolicyError(problems);

  const syscalls = policy.syscalls;
  const deny: DenyRule[] = (syscalls?.deny ?? []).map((r, i) => ({
    syscalls: refs(r.syscall),
    args: (r.args ?? []).map(scalar),
    action: r.action === 'kill' ? { kind: 'kill' } : errnoAction(r.errno ?? 'EPERM'),
    source: source(['syscalls', 'deny', i]),
  }));
  if (policy.network === 'none') deny.push(...networkDenials(`${source(['network'])} (network: none)`));

  const remap: RemapRule[] = (syscalls?.remap ?? []).map((r, i) => ({
    syscalls: refs(r.syscall),
    args: (r.args ?? []).map(remapCondition),
    result: r.errno !== undefined ? errnoAction(r.errno) : { kind: 'return', value: r.return ?? 0 },
    origin: 'policy',
    source: source(['syscalls', 'remap', i]),
  }));
  // After the user's remaps: an explicit rule for, say, chown on one path wins over the shorthand.
  if (policy.identity) remap.push(...identityRemaps(policy.identity, source(['identity'])));

  const limits = policy.limits;
  const env = policy.process?.env;
  return {
    version: 1,
    name: policy.name ?? parsePath(ctx.file).name,
    policyFile: ctx.policyFile,
    policyDigest: ctx.digest,
    root,
    process: {
      args: policy.process?.args ?? null,
      cwd: policy.process?.cwd === undefined ? null : normalizeGuestPath(policy.process.cwd),
      env: { clear: env?.clear ?? false, set: { ...(env?.set ?? {}) }, unset: [...(env?.unset ?? [])] },
    },
    paths,
    syscalls: {
      default: syscalls?.default ?? 'allow',
      defaultErrno: syscalls?.default === 'deny' ? ERRNO[syscalls.errno!]! : null,
      allow: syscalls?.default === 'deny' ? refs(syscalls.allow ?? []) : [],
      deny,
      remap,
    },
    identity: policy.identity ? { uid: policy.identity.uid, gid: policy.identity.gid } : null,
    network: policy.network,
    enforcement: policy.enforcement,
    limits: {
      ...(limits?.timeout !== undefined && { timeoutMs: parseDuration(limits.timeout)! }),
      ...(limits?.memory !== undefined && { memoryBytes: parseSize(limits.memory)! }),
      ...(limits?.processes !== undefined && { processes: limits.processes }),
      ...(limits?.open_files !== undefined && { openFiles: limits.open_files }),
      ...(limits?.cpu !== undefined && { cpuSeconds: parseDuration(limits.cpu)! / 1000 }),
    },
    log: { level: policy.log?.level ?? 'info', denials: policy.log?.denials ?? false },
  };
}

function compilePaths(
  policy: Policy,
  hostPath: (raw: string, at: PropertyKey[], mustBeDir: boolean) => string | null,
  problem: (path: PropertyKey[], message: string, hint: string) => void,
  source: (path: PropertyKey[]) => string,
): PathRule[] {
  const seen = new Map<string, string>();
  const rules: PathRule[] = [];
  policy.paths.forEach((entry, i) => {
    const guest = normalizeGuestPath(entry.guest);
    const where = source(['paths', i]);
    const first = seen.get(guest);
    if (first !== undefined) {
      problem(['paths', i, 'guest'], `duplicate guest path "${guest}" (first at ${first})`, 'keep one entry per guest path');
      return;
    }
    seen.set(guest, where);
    if (entry.host === undefined) {
      rules.push({ guest, host: guest, bind: false, access: entry.access, source: where });
      return;
    }
    const host = hostPath(entry.host, ['paths', i, 'host'], false);
    if (host !== null) rules.push({ guest, host, bind: true, access: entry.access, source: where });
  });
  // Under a guest root the kernel's own file systems are shown from the host unless the policy
  // names them (as PRoot and container runtimes do): /proc and /dev read-write, /sys read-only.
  if (policy.root !== undefined) {
    for (const [guest, access] of [['/proc', 'rw'], ['/dev', 'rw'], ['/sys', 'ro']] as const) {
      if (!seen.has(guest)) rules.push({ guest, host: guest, bind: true, access, source: `default for root: ${guest}` });
    }
  }
  // Longest first: a path's prefixes are all shorter than it, so the first match is the longest.
  return rules.sort((a, b) => b.guest.length - a.guest.length || (a.guest < b.guest ? -1 : 1));
}

function refs(names: string | string[]): SyscallRef[] {
  const table = hostArch().syscalls;
  const list = typeof names === 'string' ? [names] : [...new Set(names)];
  return list.map((name) => ({ name, nr: table[name]! }));
}

function errnoAction(name: string): { kind: 'errno'; errno: number; errnoName: string } {
  return { kind: 'errno', errno: ERRNO[name]!, errnoName: name };
}

/** Validated values always parse; the schema reported the ones that do not. */
function u64(v: number | string): string {
  const r = parseArgValue(v);
  if (!r.ok) throw new Error(`unvalidated argument value ${v}`);
  return r.value.toString();
}

type ArgIn = { index: number; op: ScalarCondition['op']; value: number | string; mask?: number | string | undefined };

function scalar(a: ArgIn): ScalarCondition {
  return { index: a.index, op: a.op, value: u64(a.value), ...(a.mask !== undefined && { mask: u64(a.mask) }) };
}

function remapCondition(a: ArgIn): RemapCondition {
  if (typeof a.value === 'string' && a.value.startsWith('/')) {
    return { kind: 'path', index: a.index, op: a.op as 'eq' | 'ne', path: normalizeGuestPath(a.value) };
  }
  return { kind: 'scalar', ...scalar(a) };
}

/** `network: none`: no sockets but AF_UNIX, and no io_uring (it can open sockets unseen by seccomp). */
function networkDenials(source: string): DenyRule[] {
  const notUnix: ScalarCondition[] = [{ index: 0, op: 'ne', value: CONSTANTS.AF_UNIX!.toString() }];
  return [
    { syscalls: refs(['socket', 'socketpair']), args: notUnix, action: errnoAction('EACCES'), source },
    { syscalls: refs('io_uring_setup'), args: [], action: errnoAction('EPERM'), source },
  ];
}

/**
 * `identity:` as remaps. The id getters report the identity; calls that would change ownership
 * or credentials pretend to succeed. getresuid/getresgid write through pointers, so the runtime
 * emulates them itself from plan.identity.
 */
function identityRemaps(id: { uid: number; gid: number }, source: string): RemapRule[] {
  const rule = (names: string[], value: number): RemapRule => ({
    syscalls: refs(names),
    args: [],
    result: { kind: 'return', value },
    origin: 'identity',
    source,
  });
  return [
    rule(['getuid', 'geteuid'], id.uid),
    rule(['getgid', 'getegid'], id.gid),
    rule(['chown', 'fchown', 'lchown', 'fchownat'], 0),
    rule(['setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups'], 0),
    // setfsuid/setfsgid return the previous fs id, which in the faked world is the identity.
    rule(['setfsuid'], id.uid),
    rule(['setfsgid'], id.gid),
    // No supplementary groups: `id` then shows the primary group only.
    rule(['getgroups'], 0),
    // chroot, as PRoot's fake root has it: into the guest's own "/" (what installers and dpkg do
    // when the target is the running system) it succeeds and changes nothing; anywhere else it is
    // refused as it would be for the real, unprivileged user. Either way the kernel's "/" stays
    // the one the supervisor translates against.
    ...(id.uid === 0 ? [{ ...rule(['chroot'], 0), args: [{ kind: 'path' as const, index: 0, op: 'eq' as const, path: '/' }] }] : []),
    { syscalls: refs(['chroot']), args: [], result: errnoAction('EPERM'), origin: 'identity', source },
  ];
}
