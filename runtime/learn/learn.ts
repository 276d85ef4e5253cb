// `tsbox learn`: from what one permissive run did (its report) to least-privilege rules.
//   - folders written (files written, created, deleted; and writes that failed only because the
//     target was already there, e.g. mkdir → EEXIST) become `rw` rules, collapsed to few folders:
//     the project (the cwd), /tmp, one entry of $HOME, otherwise the written file's folder, and
//     then no rule inside another;
//   - paths only read or executed become `ro` rules, collapsed to trees: the project, an entry of
//     $HOME, /proc, otherwise the top-level folder (/usr, /etc, …); failed probes do not count;
//   - every entry of $HOME the run did not use (read, write or run something in) is hidden (`access: none`, exact paths: the
//     format has no globs), so a later run that reaches for ~/.ssh gets ENOENT;
//   - everything else is read-only (`guest: /` ro), so writes anywhere new are refused;
//   - `network: none` unless the run made a socket other than AF_UNIX (or used an abstract unix
//     socket, which network: none scopes away);
//   - the dangerous syscalls (dangerous.ts) the run never made are denied.
import { readdirSync } from 'node:fs';
import type { Plan } from '../../policy/plan.js';
import { BASELINE } from '../baseline.js';
import { PathTranslator } from '../paths.js';
import type { Report } from '../report/schema.js';
import { DANGEROUS_SYSCALLS } from './dangerous.js';

export interface LearnedRule {
  guest: string;
  access: 'rw' | 'ro' | 'none';
  /** Why the rule is there, for its comment. */
  why: string;
}

export interface Learned {
  command: string[];
  cwd: string;
  home: string | null;
  rules: LearnedRule[];
  network: 'none' | 'host';
  networkWhy: string;
  /** Dangerous syscalls never used: denied. */
  deny: string[];
  /** Dangerous syscalls the run did use (not denied, said in a comment). */
  used: string[];
  /** Dangerous syscalls the baseline denies in every sandbox anyway. */
  baseline: string[];
  /** Facts for the header comment. */
  stats: { processes: number; paths: number; exitStatus: number; startedAt: string };
}

const isUnder = (path: string, dir: string): boolean =>
  dir === '/' ? path !== '/' : path === dir || path.startsWith(`${dir}/`);
const strictlyUnder = (path: string, dir: string): boolean => path !== dir && isUnder(path, dir);
const parentOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1) || '/';
/** The first component of `path` below `dir`: entryBelow("/h/.cache/x", "/h") = "/h/.cache". */
const entryBelow = (path: string, dir: string): string => {
  const rest = path.slice(dir === '/' ? 1 : dir.length + 1);
  const slash = rest.indexOf('/');
  return `${dir === '/' ? '' : dir}/${slash < 0 ? rest : rest.slice(0, slash)}`;
};

const TEMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];
/** Writes here are harmless and common (shell redirections): always allowed. */
const ALWAYS_WRITABLE = ['/dev/null'];

interface Anchors {
  cwd: string | null;
  home: string | null;
}

/**
 * The folder a written path makes writable. Rules are path prefixes (creating /a/b needs a rule
 * over /a/b, not a writable /a), so the anchor only groups: the project, a temporary folder, an
 * entry of $HOME, else the written path's folder. Never "/" itself.
 */
function writeAnchor(path: string, a: Anchors, created: Set<string>): string {
  if (isUnder(path, '/proc')) return '/proc';
  if (isUnder(path, '/dev')) {
    for (const d of ['/dev/pts', '/dev/shm', '/dev/mqueue']) if (isUnder(path, d)) return d;
    return path; // a device file: that file only
  }
  if (a.cwd && isUnder(path, a.cwd)) return a.cwd;
  for (const t of TEMP_DIRS) if (isUnder(path, t)) return t;
  if (a.home && strictlyUnder(path, a.home)) return entryBelow(path, a.home);
  if (a.home && path === a.home) return path;
  let folder = parentOf(path);
  // A folder the run created itself may not exist when the policy is used (and Landlock can only
  // grant rights on what exists): go up to one that was already there.
  while (folder !== '/' && created.has(folder)) folder = parentOf(folder);
  return folder === '/' ? path : folder;
}

/** The tree a read path makes readable. */
function readAnchor(path: string, a: Anchors): string | null {
  if (path === '/') return null;
  if (isUnder(path, '/proc')) return '/proc';
  if (a.cwd && isUnder(path, a.cwd)) return a.cwd;
  if (a.home && strictlyUnder(path, a.home)) return entryBelow(path, a.home);
  if (a.home && path === a.home) return a.home;
  return entryBelow(path, '/');
}

/** Keeps only the folders that are not inside another one of the list. */
function outermost(paths: Iterable<string>): string[] {
  const sorted = [...new Set(paths)].sort((x, y) => x.length - y.length || (x < y ? -1 : 1));
  const kept: string[] = [];
  for (const p of sorted) if (!kept.some((k) => isUnder(p, k))) kept.push(p);
  return kept.sort();
}

function examples(paths: string[], under: string, max = 3): string {
  const names = paths.filter((p) => isUnder(p, under)).map((p) => (p === under ? baseName(p) : p.slice(under === '/' ? 1 : under.length + 1)));
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** The names in the host folder that shows `guest`, or [] when it cannot be listed. */
export function listGuestFolder(plan: Plan, guest: string): string[] {
  const host = new PathTranslator(plan.paths, plan.root).toHost(guest);
  try {
    return readdirSync(Buffer.from(host, 'latin1'), { encoding: 'latin1' }).sort();
  } catch {
    return [];
  }
}

export function learnFromReport(report: Report, homeEntries: string[]): Learned {
  const home = report.home && report.home !== '/' ? report.home.replace(/\/+$/, '') : null;
  const cwd = report.cwd !== '/' ? report.cwd : null;
  const anchors: Anchors = { cwd, home };
  const f = report.files;

  // ---- written → rw
  const written = [...f.written, ...f.created, ...f.deleted, ...(f.writeChecked ?? [])].map((p) => p.path);
  // A write that failed because the target exists (mkdir -p, ln -s over…) still needs the right.
  for (const p of f.failed) if (p.writes > 0 && (p.errno.EEXIST || p.errno.ENOTEMPTY)) written.push(p.path);
  const created = new Set(f.created.map((p) => p.path));
  const rwFolders = outermost([...written.map((p) => writeAnchor(p, anchors, created)), ...ALWAYS_WRITABLE]);
  const rules: LearnedRule[] = rwFolders.map((folder) => {
    const here = [...new Set(written.filter((p) => isUnder(p, folder)))];
    let why: string;
    if (ALWAYS_WRITABLE.includes(folder) && here.length === 0) why = 'harmless and written by many tools (shell redirections)';
    else if (folder === cwd) why = `the project folder (the cwd): ${here.length} path(s) written, e.g. ${examples(here, folder)}`;
    else if (TEMP_DIRS.includes(folder)) why = `temporary files: ${here.length} written, e.g. ${examples(here, folder)}`;
    else why = `${here.length} path(s) written: ${examples(here, folder)}`;
    return { guest: folder, access: 'rw', why };
  });

  // ---- read / executed → ro
  // Only what was really read: failed probes (PATH lookups, include paths) would only add noise,
  // and the catch-all "/" rule below keeps them failing the same way.
  const read = [...f.read, ...f.executed].map((p) => p.path);
  const roTrees = outermost(read.map((p) => readAnchor(p, anchors)).filter((p): p is string => p !== null))
    .filter((tree) => !rwFolders.some((rw) => isUnder(tree, rw)));
  for (const tree of roTrees) {
    const here = [...new Set(read.filter((p) => isUnder(p, tree)))];
    const inside = rwFolders.filter((rw) => strictlyUnder(rw, tree));
    const note = inside.length > 0 ? `; ${inside.join(', ')} inside stay writable (longer rules win)` : '';
    rules.push({ guest: tree, access: 'ro', why: `${here.length} path(s) read or executed, e.g. ${examples(here, tree)}${note}` });
  }

  // ---- $HOME entries never touched → hidden
  // (Not when $HOME is the project folder or inside it: that would hide the project's own files.)
  if (home && !(cwd && isUnder(home, cwd))) {
    const touched = new Set<string>();
    const all = [...written, ...read, ...f.denied.map((p) => p.path)];
    for (const p of all) if (strictlyUnder(p, home)) touched.add(entryBelow(p, home));
    for (const name of homeEntries) {
      const entry = home === '/' ? `/${name}` : `${home}/${name}`;
      if (touched.has(entry)) continue;
      if (cwd && isUnder(cwd, entry)) continue; // the project lives there
      rules.push({ guest: entry, access: 'none', why: '' });
    }
  }

  // Landlock can only grant, so a writable folder that holds hidden entries keeps its rights on
  // its other entries but cannot create new ones directly in the folders leading to them.
  const hidden = rules.filter((r) => r.access === 'none');
  for (const rw of rules.filter((r) => r.access === 'rw')) {
    const below = hidden.filter((h) => strictlyUnder(h.guest, rw.guest));
    if (below.length === 0) continue;
    const home = parentOf(below[0]!.guest);
    rw.why += `\nNote: hidden entries of ${home} lie inside; with Landlock, new files cannot be created directly in ` +
      `${rw.guest === home ? home : `${rw.guest} or the folders down to ${home}`} (keep $HOME and TMPDIR outside writable folders)`;
  }

  // ---- network
  const ip = report.network.sockets.filter((s) => s.family !== 'AF_UNIX');
  const abstract = report.network.addresses.filter((a) => a.path?.startsWith('@'));
  let network: 'none' | 'host' = 'none';
  let networkWhy = 'no socket other than AF_UNIX was opened';
  if (ip.length > 0) {
    network = 'host';
    networkWhy = `sockets of family ${[...new Set(ip.map((s) => s.family))].join(', ')} were opened`;
  } else if (abstract.length > 0) {
    network = 'host';
    networkWhy = `abstract unix sockets were used (${abstract.map((a) => a.path).join(', ')}), which network: none scopes away`;
  }

  // ---- dangerous syscalls
  const trapped = new Set(report.supervisor.trapped);
  const baselineNames = new Set(BASELINE.filter((b) => !b.args).flatMap((b) => b.syscalls));
  const used = DANGEROUS_SYSCALLS.filter((n) => (report.syscalls[n] ?? 0) > 0);
  const deny = DANGEROUS_SYSCALLS.filter((n) => !used.includes(n) && trapped.has(n) && !baselineNames.has(n));
  const baseline = DANGEROUS_SYSCALLS.filter((n) => baselineNames.has(n));

  return {
    command: report.command,
    cwd: report.cwd,
    home,
    rules,
    network,
    networkWhy,
    deny,
    used,
    baseline,
    stats: {
      processes: report.processes.length,
      paths: new Set([...written, ...read]).size,
      exitStatus: report.exit.status,
      startedAt: report.startedAt,
    },
  };
}
