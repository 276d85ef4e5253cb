// Views of a report shared by the terminal and HTML renderings: the process tree, the top
// directories, the file-access tree, and small formatters.
import type { PathCount, Report, ReportProcess } from './schema.js';

export type Access = 'read' | 'written' | 'created' | 'deleted' | 'executed' | 'denied' | 'failed';
export const ACCESS_KINDS: readonly Access[] = ['denied', 'written', 'created', 'deleted', 'executed', 'read', 'failed'];

export interface ProcessNode {
  process: ReportProcess;
  children: ProcessNode[];
}

/** Processes as a forest: each under its parent, in start order; orphans at the top. */
export function processTree(report: Report): ProcessNode[] {
  const nodes = new Map<number, ProcessNode>();
  for (const p of report.processes) nodes.set(p.pid, { process: p, children: [] });
  const roots: ProcessNode[] = [];
  for (const n of nodes.values()) {
    const parent = nodes.get(n.process.parent);
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

/** One argument list as a shell would show it, clipped to `max` characters. */
export function commandLine(argv: readonly string[], max = 120): string {
  const text = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function exitText(p: { exitCode: number | null; signal: string | null; endMs: number | null }): string {
  if (p.signal) return p.signal;
  if (p.exitCode !== null) return String(p.exitCode);
  return p.endMs === null ? 'running' : '?';
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export function kib(value: number | null): string {
  if (value === null) return '—';
  return value >= 1024 ? `${(value / 1024).toFixed(1)} MiB` : `${value} KiB`;
}

/** Every path the report names, with its count per kind of access. */
export function pathAccesses(report: Report): Map<string, Partial<Record<Access, number>>> {
  const out = new Map<string, Partial<Record<Access, number>>>();
  const add = (list: PathCount[] | undefined, kind: Access) => {
    for (const { path, count } of list ?? []) {
      let entry = out.get(path);
      if (!entry) out.set(path, (entry = {}));
      entry[kind] = (entry[kind] ?? 0) + count;
    }
  };
  const f = report.files;
  add(f.read, 'read');
  add(f.written, 'written');
  add(f.created, 'created');
  add(f.deleted, 'deleted');
  add(f.executed, 'executed');
  add(f.denied, 'denied');
  add(f.failed, 'failed');
  return out;
}

export const parentOf = (path: string): string => {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};

export interface DirectoryRow {
  directory: string;
  files: number;
  counts: Partial<Record<Access, number>>;
}

/** The directories whose entries were touched most (distinct paths), denials counting first. */
export function topDirectories(report: Report, limit = 10): DirectoryRow[] {
  const dirs = new Map<string, DirectoryRow>();
  for (const [path, counts] of pathAccesses(report)) {
    const dir = parentOf(path);
    let row = dirs.get(dir);
    if (!row) dirs.set(dir, (row = { directory: dir, files: 0, counts: {} }));
    row.files++;
    for (const [k, n] of Object.entries(counts) as Array<[Access, number]>) row.counts[k] = (row.counts[k] ?? 0) + n;
  }
  return [...dirs.values()]
    .sort((a, b) => (b.counts.denied ?? 0) - (a.counts.denied ?? 0) || b.files - a.files || (a.directory < b.directory ? -1 : 1))
    .slice(0, limit);
}

export interface FileNode {
  name: string;
  path: string;
  /** Accesses to this exact path. */
  own: Partial<Record<Access, number>>;
  /** Accesses to it and everything below. */
  total: Partial<Record<Access, number>>;
  children: Map<string, FileNode>;
}

/** The file-access tree: every path named, under its folders, with counts summed upwards. */
export function fileTree(report: Report): FileNode {
  const root: FileNode = { name: '/', path: '/', own: {}, total: {}, children: new Map() };
  for (const [path, counts] of pathAccesses(report)) {
    let node = root;
    const chain = [root];
    for (const part of path.split('/').filter(Boolean)) {
      let next = node.children.get(part);
      if (!next) {
        next = { name: part, path: node.path === '/' ? `/${part}` : `${node.path}/${part}`, own: {}, total: {}, children: new Map() };
        node.children.set(part, next);
      }
      node = next;
      chain.push(node);
    }
    for (const [k, n] of Object.entries(counts) as Array<[Access, number]>) {
      node.own[k] = (node.own[k] ?? 0) + n;
      for (const c of chain) c.total[k] = (c.total[k] ?? 0) + n;
    }
  }
  return root;
}

/** A decision's target for display: its path argument(s), or its arguments. */
export function decisionTarget(args: unknown[]): string {
  const paths = args.filter((a): a is string => typeof a === 'string');
  if (paths.length > 0) return paths.join(' → ');
  return args.length > 0 ? args.map((a) => String(a)).join(', ') : '';
}
