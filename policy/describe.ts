// Human lines for `tsbox check`: what the plan enforces and which mechanism enforces it. The
// runtime appends its own lines (e.g. whether Landlock backs the path rules on this machine).
import { ERRNO } from '../arch/index.js';
import { CONSTANTS } from './constants.js';
import type { DenyRule, Plan, RemapCondition, RemapRule, ScalarCondition } from './plan.js';

const OPS: Record<string, string> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

function names(rule: { syscalls: { name: string }[] }): string {
  return rule.syscalls.map((s) => s.name).join(', ');
}

/** Small values in decimal, flags and addresses in hex; a negative int stays readable. */
function showValue(dec: string): string {
  const v = BigInt(dec);
  if (v >= 1n << 63n) return `-${(1n << 64n) - v}`;
  return v < 4096n ? dec : `0x${v.toString(16)}`;
}

/** The socket domain is the one argument users filter on most: show its name. */
function showArg(syscalls: string[], index: number, dec: string): string {
  const shown = showValue(dec);
  if (index !== 0 || !syscalls.every((n) => n === 'socket' || n === 'socketpair')) return shown;
  const af = Object.keys(CONSTANTS).find((k) => k.startsWith('AF_') && CONSTANTS[k]!.toString() === dec);
  return af ? `${af}(${shown})` : shown;
}

function showCondition(c: ScalarCondition | RemapCondition, syscalls: string[]): string {
  if ('kind' in c && c.kind === 'path') return `arg${c.index} ${OPS[c.op]} path "${c.path}"`;
  const s = c as ScalarCondition;
  if (s.op === 'masked_eq') return `(arg${s.index} & ${showValue(s.mask ?? '0')}) == ${showValue(s.value)}`;
  return `arg${s.index} ${OPS[s.op]} ${showArg(syscalls, s.index, s.value)}`;
}

function when(rule: { syscalls: { name: string }[]; args: (ScalarCondition | RemapCondition)[] }): string {
  const syscalls = rule.syscalls.map((s) => s.name);
  return rule.args.length === 0 ? '' : ` when ${rule.args.map((a) => showCondition(a, syscalls)).join(' and ')}`;
}

function describeDeny(r: DenyRule): string {
  const what = r.action.kind === 'kill' ? 'kill the process' : `errno ${r.action.errnoName}`;
  return `kernel (seccomp BPF): ${names(r)}${when(r)} → ${what}  [${r.source}]`;
}

function describeRemap(r: RemapRule): string {
  const what = r.result.kind === 'return' ? `return ${r.result.value}` : `errno ${r.result.errnoName}`;
  const origin = r.origin === 'policy' ? '' : ` (${r.origin})`;
  return `supervisor (one stop, syscall skipped): ${names(r)}${when(r)} → ${what}${origin}  [${r.source}]`;
}

function duration(ms: number): string {
  const parts: string[] = [];
  for (const [unit, n] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (ms >= n) {
      parts.push(`${Math.floor(ms / n)}${unit}`);
      ms %= n;
    }
  }
  return parts.join('') || '0s';
}

function size(bytes: number): string {
  for (const [unit, n] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  }
  return `${bytes} bytes`;
}

export function describePlan(plan: Plan): string[] {
  const out: string[] = [];
  out.push(`policy "${plan.name}" (${plan.policyFile}, sha256 ${plan.policyDigest.slice(0, 12)})`);
  out.push(plan.root === null ? 'guest "/": the host\'s "/"' : `supervisor path translation: / → ${plan.root} (root)`);

  for (const p of plan.paths) {
    const target = p.access === 'none' ? 'hidden (ENOENT)' : p.bind ? `→ ${p.host} (${p.access})` : `(${p.access})`;
    out.push(`supervisor path translation: ${p.guest} ${target}  [${p.source}]`);
  }

  const s = plan.syscalls;
  if (s.default === 'deny') {
    const errno = Object.keys(ERRNO).find((k) => ERRNO[k] === s.defaultErrno) ?? String(s.defaultErrno);
    out.push(`kernel (seccomp BPF): every syscall not allowed → errno ${errno}; allowed: ${s.allow.map((a) => a.name).join(', ') || '(none)'}`);
  }
  for (const r of s.deny) out.push(describeDeny(r));
  for (const r of s.remap) out.push(describeRemap(r));
  if (plan.identity) {
    out.push(`supervisor (writes results to memory): getresuid → ${plan.identity.uid}, getresgid → ${plan.identity.gid} (identity)`);
  }
  out.push(plan.network === 'none' ? 'network: none (IP sockets refused in the kernel; AF_UNIX allowed)' : 'network: host (not restricted)');

  const l = plan.limits;
  if (l.timeoutMs !== undefined) out.push(`supervisor: wall-clock timeout ${duration(l.timeoutMs)}, then the process tree is killed (exit 124)`);
  if (l.memoryBytes !== undefined) out.push(`kernel (rlimit): RLIMIT_AS ${size(l.memoryBytes)} per process`);
  if (l.processes !== undefined) out.push(`kernel (rlimit): RLIMIT_NPROC ${l.processes}`);
  if (l.openFiles !== undefined) out.push(`kernel (rlimit): RLIMIT_NOFILE ${l.openFiles}`);
  if (l.cpuSeconds !== undefined) out.push(`kernel (rlimit): RLIMIT_CPU ${l.cpuSeconds}s`);

  const env = plan.process.env;
  const envParts = [env.clear ? 'cleared' : 'inherited'];
  if (env.unset.length) envParts.push(`unset ${env.unset.join(', ')}`);
  if (Object.keys(env.set).length) envParts.push(`set ${Object.keys(env.set).join(', ')}`);
  out.push(`environment: ${envParts.join('; ')}`);
  out.push(`log: level ${plan.log.level}, denials ${plan.log.denials ? 'logged' : 'not logged'}`);
  return out;
}
