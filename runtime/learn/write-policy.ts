// The learned policy as YAML text, every rule with a comment that says why it is there. With a
// base policy (--base) its settings are kept (name, root, process.env, identity, limits, log,
// enforcement, remaps, its own paths and denials), relative host paths made absolute so the
// result can live anywhere, and the learned rules are added after the base's own.
import { resolve, dirname } from 'node:path';
import { stringify } from 'yaml';
import type { Plan } from '../../policy/plan.js';
import type { Learned, LearnedRule } from './learn.js';

export interface BasePolicy {
  file: string;
  /** The base file as parsed YAML (plain data). */
  data: Record<string, unknown>;
  plan: Plan;
}

const q = (s: string): string => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
const comment = (text: string, indent = ''): string =>
  text.split('\n').map((line) => `${indent}# ${line.replace(/\s+$/, '')}`.trimEnd()).join('\n');

function wrapWords(words: string[], width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && `${line}, ${w}`.length > width) {
      lines.push(`${indent}${line},`);
      line = w;
    } else line = line ? `${line}, ${w}` : w;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines;
}

/** A YAML fragment for `{ key: value }`, indented by `indent`. */
function fragment(key: string, value: unknown, indent = ''): string[] {
  return stringify({ [key]: value }, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `${indent}${l}`);
}

function ruleLines(r: LearnedRule): string[] {
  return [...(r.why ? [comment(r.why, '  ')] : []), `  - guest: ${q(r.guest)}`, `    access: ${r.access}`];
}

/**
 * The base's own path entries, host paths made absolute. Where the run learned a rule for the
 * same guest path, the learned access wins (a bind the build wrote to becomes rw), with a comment.
 */
function basePathLines(base: BasePolicy, learned: LearnedRule[]): { lines: string[]; guests: Set<string> } {
  const entries = Array.isArray(base.data.paths) ? (base.data.paths as Array<Record<string, unknown>>) : [];
  const folder = dirname(resolve(base.file));
  const lines: string[] = [];
  const guests = new Set<string>();
  for (const e of entries) {
    const guest = String(e.guest);
    const normal = guest.length > 1 ? guest.replace(/\/+$/, '') : guest;
    guests.add(normal);
    const written = e.access === undefined ? 'rw' : String(e.access);
    const rule = learned.find((r) => r.guest === normal && r.access !== 'none');
    const access = rule && rule.access !== written ? rule.access : written;
    if (rule && access !== written) lines.push(comment(`${rule.why}\n(the base policy said ${written})`, '  '));
    lines.push(`  - guest: ${q(guest)}`);
    if (typeof e.host === 'string') lines.push(`    host: ${q(resolve(folder, e.host))}`);
    if (e.access !== undefined || access !== written) lines.push(`    access: ${access}`);
  }
  return { lines, guests };
}

export function writePolicy(l: Learned, base: BasePolicy | null): string {
  const b = base?.data ?? {};
  const out: string[] = [];
  const program = l.command[0]?.split('/').pop() ?? 'command';
  out.push(comment([
    'Least-privilege policy written by `tsbox learn` from one permissive run of',
    `  ${l.command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : q(a))).join(' ')}`,
    `started ${l.stats.startedAt}, exit status ${l.stats.exitStatus}, ${l.stats.processes} process(es), ${l.stats.paths} path(s).`,
    'It allows what that run did and little else: review it, and learn again when the build changes.',
    ...(base ? [`Based on ${base.file}: its settings and rules come first, the learned ones after.`] : []),
  ].join('\n')));
  out.push('version: 1');
  out.push(`name: ${q(typeof b.name === 'string' ? b.name : `learned-${program}`)}`);
  if (base?.plan.root) out.push(`root: ${q(base.plan.root)}`);
  out.push('');

  out.push(comment('The command learned from and where it ran; arguments after `--` on the command line replace args.'));
  out.push('process:');
  out.push(`  args: [${l.command.map(q).join(', ')}]`);
  out.push(`  cwd: ${q(l.cwd)}`);
  const baseProcess = b.process as Record<string, unknown> | undefined;
  if (baseProcess?.env !== undefined) out.push(...fragment('env', baseProcess.env, '  '));
  out.push('');

  out.push('paths:');
  const fromBase = base ? basePathLines(base, l.rules) : { lines: [], guests: new Set<string>() };
  if (fromBase.lines.length > 0) out.push(comment('From the base policy.', '  '), ...fromBase.lines);
  const learned = l.rules.filter((r) => !fromBase.guests.has(r.guest));
  const group = (access: LearnedRule['access'], title: string) => {
    const rules = learned.filter((r) => r.access === access && r.guest !== '/');
    if (rules.length === 0) return;
    out.push('', comment(title, '  '));
    for (const r of rules) out.push(...ruleLines(r));
  };
  group('rw', 'Written by the run: read-write.');
  group('ro', 'Only read or executed by the run: read-only.');
  group('none', `Entries of $HOME (${l.home ?? '?'}) the run never touched: hidden (ENOENT, left out of listings).`);
  if (!fromBase.guests.has('/')) {
    out.push('', comment('Everything else: read-only, so the command cannot write anywhere it did not write before.', '  '));
    out.push('  - guest: "/"', '    access: ro');
  }
  out.push('');

  out.push(`network: ${l.network}  # ${l.networkWhy}`);
  out.push('');

  out.push('syscalls:');
  const baseSys = (b.syscalls ?? {}) as Record<string, unknown>;
  out.push(`  default: ${typeof baseSys.default === 'string' ? baseSys.default : 'allow'}`);
  if (baseSys.errno !== undefined) out.push(`  errno: ${String(baseSys.errno)}`);
  if (baseSys.allow !== undefined) out.push(...fragment('allow', baseSys.allow, '  '));
  const baseDenied = new Set((base?.plan.syscalls.deny ?? []).filter((r) => r.args.length === 0).flatMap((r) => r.syscalls.map((s) => s.name)));
  const deny = l.deny.filter((n) => !baseDenied.has(n));
  const baseDeny = Array.isArray(baseSys.deny) ? baseSys.deny : [];
  if (deny.length > 0 || baseDeny.length > 0) {
    out.push('  deny:');
    if (baseDeny.length > 0) out.push(comment('From the base policy.', '    '), ...stringify(baseDeny, { lineWidth: 0 }).trimEnd().split('\n').map((x) => `    ${x}`));
    if (deny.length > 0) {
      const notes = ['Dangerous, and never called during the learned run.'];
      if (l.used.length > 0) notes.push(`Called during the run, so allowed: ${l.used.join(', ')}.`);
      if (l.baseline.length > 0) notes.push(`Refused in every tsbox sandbox anyway (baseline): ${l.baseline.join(', ')}.`);
      out.push(comment(notes.join('\n'), '    '));
      out.push('    - syscall: [');
      out.push(...wrapWords(deny, 90, '        '));
      out.push('      ]');
      out.push('      errno: EPERM');
    }
  }
  if (Array.isArray(baseSys.remap) && baseSys.remap.length > 0) out.push(...fragment('remap', baseSys.remap, '  '));

  for (const key of ['identity', 'enforcement', 'limits', 'log'] as const) {
    if (b[key] !== undefined) out.push('', ...fragment(key, b[key]));
  }
  return `${out.join('\n')}\n`;
}
