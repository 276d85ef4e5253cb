// `tsbox report FILE --html OUT`: the report as one self-contained HTML page (inline CSS and a
// few lines of inline script, nothing fetched) that a CI system can publish as an artifact. It
// shows the run, the denials (first, in red), the process tree and the file-access tree. Every
// element about a denial carries `data-denied` so tools and tests can find them.
import type { Report } from './schema.js';
import {
  commandLine, decisionTarget, duration, exitText, fileTree, kib, pathAccesses, processTree, type Access, type FileNode, type ProcessNode,
} from './summary.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
:root { --red: #b3261e; --red-bg: #fdecea; --muted: #666; --line: #ddd; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
h1 { font-size: 1.3rem; margin: 0 0 .5rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); }
code, .mono, td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
table { border-collapse: collapse; } th, td { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td.n { text-align: right; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; } dl.facts dt { color: var(--muted); }
.denied, tr.denied td { color: var(--red); } tr.denied { background: var(--red-bg); }
.badge { display: inline-block; border-radius: 3px; padding: 0 5px; margin-left: 4px; font-size: 11px; background: #eef; color: #334; }
.badge.denied { background: var(--red); color: #fff; } .badge.written, .badge.created, .badge.deleted { background: #fff3cd; color: #5c4500; }
.badge.executed { background: #e3f4e1; color: #1f5120; } .badge.failed { background: #eee; color: #555; }
ul.tree { list-style: none; padding-left: 1.1rem; margin: 0; } ul.tree.top { padding-left: 0; }
details > summary { cursor: pointer; } .leaf { padding-left: 1.05rem; }
.ok { color: #1f5120; } .bad { color: var(--red); font-weight: 600; }
#filter { margin: .3rem 0 .6rem; padding: 3px 6px; width: 24rem; max-width: 100%; }
.hidden { display: none; }
`;

const SCRIPT = `
document.getElementById('expand').onclick = () => document.querySelectorAll('#files details').forEach(d => d.open = true);
document.getElementById('collapse').onclick = () => document.querySelectorAll('#files details').forEach(d => d.open = false);
document.getElementById('filter').oninput = (e) => {
  const q = e.target.value.trim();
  document.querySelectorAll('#files li').forEach(li => {
    const hit = !q || (li.dataset.path || '').includes(q) || li.querySelector('li[data-path*="' + CSS.escape(q) + '"]');
    li.classList.toggle('hidden', !hit);
    if (q && hit) { const d = li.querySelector(':scope > details'); if (d) d.open = true; }
  });
};
`;

const BADGE_ORDER: readonly Access[] = ['denied', 'written', 'created', 'deleted', 'executed', 'read', 'failed'];

function badges(counts: Partial<Record<Access, number>>): string {
  return BADGE_ORDER.filter((k) => counts[k])
    .map((k) => `<span class="badge ${k}" title="${k}: ${counts[k]} call(s)">${k} ${counts[k]}</span>`)
    .join('');
}

function fileNode(n: FileNode, depth: number): string {
  const denied = (n.total.denied ?? 0) > 0;
  const attrs = `data-path="${esc(n.path)}"${denied ? ' data-denied="true" class="denied"' : ''}`;
  const children = [...n.children.values()].sort((a, b) =>
    Number(b.children.size > 0) - Number(a.children.size > 0) || (a.name < b.name ? -1 : 1));
  if (children.length === 0) {
    return `<li ${attrs}><span class="leaf mono">${esc(n.name)}</span>${badges(n.own)}</li>`;
  }
  // Open what matters: denials and changes, and the first levels.
  const open = denied || depth < 2 || (n.total.written ?? 0) + (n.total.created ?? 0) + (n.total.deleted ?? 0) > 0;
  return `<li ${attrs}><details${open ? ' open' : ''}><summary><span class="mono">${esc(n.name)}${n.path === '/' ? '' : '/'}</span>` +
    `${badges(n.total)}</summary><ul class="tree">${children.map((c) => fileNode(c, depth + 1)).join('')}</ul></details></li>`;
}

function processNode(n: ProcessNode): string {
  const p = n.process;
  const life = p.endMs === null ? null : p.endMs - p.startMs;
  const exit = exitText(p);
  const failed = exit !== '0' && exit !== 'running';
  const line = `<span class="mono">${p.pid}</span> <code>${esc(commandLine(p.argv, 300))}</code> ` +
    `<span class="${failed ? 'bad' : 'ok'}">exit ${esc(exit)}</span> <span class="badge">${esc(duration(life))}</span>` +
    `${p.threads > 0 ? `<span class="badge">${p.threads} threads</span>` : ''}${p.exe ? ` <span class="mono" style="color:var(--muted)">${esc(p.exe)}</span>` : ''}`;
  if (n.children.length === 0) return `<li data-pid="${p.pid}"><span class="leaf">${line}</span></li>`;
  return `<li data-pid="${p.pid}"><details open><summary>${line}</summary><ul class="tree">${n.children.map(processNode).join('')}</ul></details></li>`;
}

function decisionTable(list: Report['denials'], denied: boolean): string {
  const head = `<tr><th>count</th><th>syscall</th><th>target</th><th>${denied ? 'refused' : 'answered'}</th><th>pids</th></tr>`;
  const rows = list.map((d) =>
    `<tr${denied ? ' class="denied" data-denied="true"' : ''} data-syscall="${esc(d.syscall)}"><td class="n">${d.count}</td>` +
    `<td class="mono">${esc(d.syscall)}</td><td class="mono">${esc(decisionTarget(d.args))}</td><td>${esc(d.detail ?? '')}</td>` +
    `<td class="mono">${esc(d.pids.join(' '))}</td></tr>`).join('');
  return `<table>${head}${rows}</table>`;
}

export function renderHtml(r: Report): string {
  const exit = r.exit.timedOut ? `timed out (status ${r.exit.status})`
    : r.exit.signal ? `killed by ${r.exit.signal} (status ${r.exit.status})` : `status ${r.exit.status}`;
  const cpu = r.time.cpu ? `${duration(r.time.cpu.userMs)} user + ${duration(r.time.cpu.systemMs)} system` : '—';
  const facts: Array<[string, string]> = [
    ['command', `<code>${esc(commandLine(r.command, 1000))}</code>`],
    ['exit', `<span class="${r.exit.status === 0 ? 'ok' : 'bad'}">${esc(exit)}</span>${r.exit.error ? ` — ${esc(r.exit.error)}` : ''}`],
    ['policy', `${esc(r.policy.name)} <span class="mono">${esc(r.policy.file)}</span> sha256 <span class="mono">${esc(r.policy.digest.slice(0, 16))}</span>`],
    ['started', esc(r.startedAt)],
    ['time', `wall ${esc(duration(r.time.wallMs))} · cpu ${esc(cpu)} · max RSS ${esc(kib(r.time.maxRssKiB))}`],
    ['supervisor', `${r.supervisor.seccompStops} seccomp stops, ${r.supervisor.exitStops} exit stops, ${esc(duration(r.supervisor.busyMs))} handling them`],
    ['cwd', `<span class="mono">${esc(r.cwd)}</span>${r.home ? ` · HOME <span class="mono">${esc(r.home)}</span>` : ''}`],
  ];
  const denials = r.denials.length === 0
    ? '<p class="ok" id="no-denials">No denials.</p>'
    : `<p class="bad" data-denied="true">${r.denials.reduce((n, d) => n + d.count, 0)} call(s) denied.</p>${decisionTable(r.denials, true)}`;
  const network = r.network.sockets.length + r.network.addresses.length === 0 ? '<p>No sockets.</p>'
    : `<table><tr><th>count</th><th>family</th><th>type</th><th>failed</th></tr>${r.network.sockets.map((s) =>
      `<tr><td class="n">${s.count}</td><td>${esc(s.family)}</td><td>${esc(s.type)}</td><td>${esc(Object.keys(s.failed).join(' '))}</td></tr>`).join('')}</table>` +
      `<table><tr><th>count</th><th>call</th><th>address</th><th>failed</th></tr>${r.network.addresses.map((a) =>
        `<tr><td class="n">${a.count}</td><td>${esc(a.syscall)}</td><td class="mono">${esc(a.path ?? (a.address === undefined ? a.family : a.family === 'AF_INET6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`))}</td>` +
        `<td>${esc(Object.keys(a.failed).join(' '))}</td></tr>`).join('')}</table>`;
  const syscalls = Object.entries(r.syscalls).map(([n, c]) => `<tr><td class="n">${c}</td><td class="mono">${esc(n)}</td></tr>`).join('');
  const tree = fileTree(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tsbox report: ${esc(commandLine(r.command, 80))}</title><style>${CSS}</style></head>
<body data-schema-version="${r.schemaVersion}">
<h1>tsbox report</h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<h2 id="denials">Denials (${r.denials.length})</h2>${denials}
${r.remaps.length > 0 ? `<h2 id="remaps">Remaps (${r.remaps.length})</h2>${decisionTable(r.remaps, false)}` : ''}
<h2>Processes (${r.processes.length})</h2><ul class="tree top" id="processes">${processTree(r).map(processNode).join('')}</ul>
<h2>Files (${pathAccesses(r).size} paths)</h2>
<div><input id="filter" type="search" placeholder="filter paths"> <button id="expand">expand all</button> <button id="collapse">collapse all</button></div>
<ul class="tree top" id="files">${fileNode(tree, 0)}</ul>
<h2>Network</h2>${network}
<h2>Trapped syscalls</h2><table><tr><th>calls</th><th>syscall</th></tr>${syscalls}</table>
<script>${SCRIPT}</script>
</body></html>
`;
}
