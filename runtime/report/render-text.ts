// `tsbox report FILE`: the report as text for a terminal. Denials first (they are why one
// looks), then the run, the process tree, the top directories, the files written / created /
// deleted / executed, the network and the syscall counts. Long lists are cut with "… N more".
import type { Report } from './schema.js';
import {
  commandLine, decisionTarget, duration, exitText, kib, processTree, topDirectories, type Access, type ProcessNode,
} from './summary.js';

const LIST_LIMIT = 15;
const PROCESS_LIMIT = 200;

/** Left-aligned columns; columns listed in `right` are right-aligned (numbers). */
function table(header: string[], rows: string[][], right: number[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

function heading(title: string, count?: number): string {
  return `\n${title}${count === undefined ? '' : ` (${count})`}`;
}

const more = (total: number, shown: number): string[] => (total > shown ? [`  … and ${total - shown} more`] : []);

function errnoList(counts: Record<string, number>): string {
  return Object.entries(counts).map(([e, n]) => (n > 1 ? `${e}×${n}` : e)).join(' ');
}

function processLines(nodes: ProcessNode[], prefix: string, out: string[][], budget: { left: number }): void {
  nodes.forEach((n, i) => {
    if (budget.left-- <= 0) return;
    const last = i === nodes.length - 1;
    const branch = prefix === '' && nodes.length === 1 ? '' : last ? '└─ ' : '├─ ';
    const p = n.process;
    const life = p.endMs === null ? null : p.endMs - p.startMs;
    const threads = p.threads > 0 ? ` [${p.threads} thread${p.threads > 1 ? 's' : ''}]` : '';
    out.push([String(p.pid), exitText(p), duration(life), `${prefix}${branch}${commandLine(p.argv, 100)}${threads}`]);
    const childPrefix = prefix + (branch === '' ? '' : last ? '   ' : '│  ');
    processLines(n.children, childPrefix, out, budget);
  });
}

export function renderText(r: Report): string {
  const out: string[] = [];
  out.push(`tsbox report: ${commandLine(r.command, 200)}`);
  out.push(`  policy      ${r.policy.name} (sha256 ${r.policy.digest.slice(0, 12)}) ${r.policy.file}`);
  const exit = r.exit.timedOut
    ? `timed out (status ${r.exit.status})`
    : r.exit.signal ? `killed by ${r.exit.signal} (status ${r.exit.status})` : `status ${r.exit.status}`;
  out.push(`  exit        ${exit}${r.exit.error ? ` — tsbox: ${r.exit.error}` : ''}`);
  const cpu = r.time.cpu ? `cpu ${duration(r.time.cpu.userMs)} user + ${duration(r.time.cpu.systemMs)} system` : 'cpu —';
  out.push(`  time        wall ${duration(r.time.wallMs)} · ${cpu} · max RSS ${kib(r.time.maxRssKiB)} · started ${r.startedAt}`);
  out.push(`  supervisor  ${r.supervisor.seccompStops} seccomp stops + ${r.supervisor.exitStops} exit stops · ` +
    `${duration(r.supervisor.busyMs)} handling them · ${r.supervisor.trapped.length} syscalls trapped · tsbox cpu ${duration(r.time.tsbox.userMs + r.time.tsbox.systemMs)}`);
  out.push(`  cwd         ${r.cwd}${r.home ? ` · HOME ${r.home}` : ''}`);

  out.push(heading('DENIALS', r.denials.length));
  if (r.denials.length === 0) out.push('  none');
  else {
    const rows = r.denials.slice(0, 50).map((d) => [String(d.count), d.syscall, decisionTarget(d.args), d.detail ?? '', d.pids.join(' ')]);
    out.push(...table(['count', 'syscall', 'target', 'refused', 'pids'], rows, [0]), ...more(r.denials.length, rows.length));
  }
  if (r.remaps.length > 0) {
    out.push(heading('REMAPS', r.remaps.length));
    const rows = r.remaps.slice(0, 50).map((d) => [String(d.count), d.syscall, decisionTarget(d.args), d.detail ?? '']);
    out.push(...table(['count', 'syscall', 'target', 'answered'], rows, [0]), ...more(r.remaps.length, rows.length));
  }

  out.push(heading('PROCESSES', r.processes.length));
  const procRows: string[][] = [];
  processLines(processTree(r), '', procRows, { left: PROCESS_LIMIT });
  out.push(...table(['pid', 'exit', 'time', 'command'], procRows, [0]), ...more(r.processes.length, procRows.length));

  out.push(heading('TOP DIRECTORIES'));
  const kinds: Access[] = ['denied', 'read', 'written', 'created', 'deleted', 'executed', 'failed'];
  const dirRows = topDirectories(r).map((d) => [String(d.files), ...kinds.map((k) => String(d.counts[k] ?? '')), d.directory]);
  out.push(...table(['paths', ...kinds, 'directory'], dirRows, [0, 1, 2, 3, 4, 5, 6, 7]));

  const fileList = (title: string, list: Array<{ path: string; count: number }>) => {
    if (list.length === 0) return;
    out.push(heading(title, list.length));
    const rows = list.slice(0, LIST_LIMIT).map((f) => [String(f.count), f.path]);
    out.push(...table(['calls', 'path'], rows, [0]), ...more(list.length, rows.length));
  };
  fileList('FILES WRITTEN', r.files.written);
  fileList('FILES CREATED', r.files.created);
  fileList('FILES DELETED', r.files.deleted);
  fileList('FILES EXECUTED', r.files.executed);
  out.push(`\n  ${r.files.read.length} paths read, ${r.files.failed.length} paths where a call failed (e.g. ENOENT probes): see the JSON or --html`);

  out.push(heading('NETWORK'));
  if (r.network.sockets.length === 0 && r.network.addresses.length === 0) out.push('  no sockets');
  else {
    if (r.network.sockets.length > 0) {
      out.push(...table(['count', 'family', 'type', 'failed'],
        r.network.sockets.map((s) => [String(s.count), s.family, s.type, errnoList(s.failed)]), [0]));
    }
    if (r.network.addresses.length > 0) {
      out.push('', ...table(['count', 'call', 'address', 'failed'], r.network.addresses.map((a) => [
        String(a.count), a.syscall,
        a.path !== undefined ? `${a.family} ${a.path}` : a.family === 'AF_INET6' ? `[${a.address}]:${a.port}` : `${a.address ?? a.family}:${a.port ?? ''}`,
        errnoList(a.failed),
      ]), [0]));
    }
  }

  const counts = Object.entries(r.syscalls);
  out.push(heading('TRAPPED SYSCALLS', counts.length));
  const rows = counts.slice(0, LIST_LIMIT).map(([name, n]) => [String(n), name]);
  out.push(...table(['calls', 'syscall'], rows, [0]), ...more(counts.length, rows.length));
  return `${out.join('\n')}\n`;
}
