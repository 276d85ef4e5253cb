// `tsbox run --report` and `tsbox report`: the JSON summary of a `make -j2` build (compiler
// processes, object files written), written also when the command fails, is killed, times out or
// cannot start; network attempts and denials counted; the terminal summary; the HTML page opened
// in headless Chromium, where the denial must show; and the progress line (only on a terminal).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { writeCProject } from './lib/cproject.js';
import { helper } from './lib/helpers.js';
import {
  makeTmpDir, runAs, runTsbox, skipUnlessUnprivileged, tmpPolicy, tsboxBin, which, type RunResult,
} from './lib/run.js';
import type { Report } from '../runtime/report/schema.js';

const show = (r: RunResult) => `code=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 1500))} stderr=${JSON.stringify(r.stderr.slice(0, 3000))}`;
const q = (s: string) => JSON.stringify(s);

function readReport(file: string): Report {
  assert.ok(fs.existsSync(file), `no report at ${file}`);
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  assert.equal(r.schemaVersion, 1);
  return r;
}

/** Runs `tsbox run --report FILE [extra] POLICY -- cmd` as the unprivileged user; returns the run and the report. */
async function reported(policyText: string, cmd: string[], opts: { cwd?: string; extra?: string[] } = {}) {
  const dir = makeTmpDir({ forUser: 'unprivileged' });
  const file = path.join(dir, 'report.json');
  const policy = tmpPolicy(policyText);
  const r = await runTsbox(['run', '--report', file, ...(opts.extra ?? []), policy, '--', ...cmd], { user: 'unprivileged', cwd: opts.cwd });
  return { r, file, policy };
}

describe('tsbox run --report', { skip: skipUnlessUnprivileged() }, () => {
  test('make -j2 of a C project: the compiler processes and the object files written', async () => {
    const project = writeCProject(path.join(makeTmpDir({ forUser: 'unprivileged' }), 'proj'), 4, 'unprivileged');
    const { r, file, policy } = await reported('version: 1\nname: build\n', ['make', '-j2'], { cwd: project.dir });
    assert.equal(r.code, 0, show(r));
    const rep = readReport(file);
    assert.deepEqual(rep.command, ['make', '-j2']);
    assert.equal(rep.cwd, project.dir);
    assert.equal(rep.exit.status, 0);
    assert.equal(rep.exit.timedOut, false);
    assert.equal(rep.policy.name, 'build');
    assert.equal(rep.policy.digest, createHash('sha256').update(fs.readFileSync(policy)).digest('hex'));

    // The process tree: make at the top, one `cc -c` per source, the link, and gcc's own children.
    const root = rep.processes.find((p) => p.parent === 0);
    assert.ok(root, 'a root process');
    assert.equal(root.argv[0], 'make');
    const compiles = rep.processes.filter((p) => ['cc', 'gcc'].includes(path.basename(p.argv[0] ?? '')) && p.argv.includes('-c'));
    assert.deepEqual(compiles.map((p) => p.argv[p.argv.length - 1]).sort(), [...project.sources].sort(),
      rep.processes.map((p) => p.argv.join(' ')).join('\n'));
    for (const c of compiles) {
      assert.equal(c.parent, root.pid, 'make forked the compilers');
      assert.equal(c.exitCode, 0);
      assert.ok(c.endMs !== null && c.endMs >= c.startMs);
    }
    assert.ok(rep.processes.some((p) => /(^|\/)cc1$/.test(p.argv[0] ?? '') && compiles.some((c) => c.pid === p.parent)), 'cc1 under a cc');
    assert.ok(rep.processes.some((p) => p.argv.includes('-o') && p.argv.includes('prog')), 'the link');

    // Files: every object written and created (they did not exist), the header read, compilers executed.
    const written = new Set(rep.files.written.map((f) => f.path));
    const created = new Set(rep.files.created.map((f) => f.path));
    for (const o of [...project.objects, path.join(project.dir, 'prog')]) {
      assert.ok(written.has(o), `${o} written: ${[...written].join(' ')}`);
      assert.ok(created.has(o), `${o} created`);
    }
    assert.ok(rep.files.read.some((f) => f.path === path.join(project.dir, 'common.h')), 'common.h read');
    assert.ok(rep.files.executed.some((f) => f.path.endsWith('/cc1')), 'cc1 executed');
    assert.ok(rep.files.failed.every((f) => f.count > 0 && Object.keys(f.errno).length > 0));

    // Counts and times.
    assert.ok((rep.syscalls.openat ?? 0) > 0);
    assert.ok((rep.syscalls.execve ?? 0) >= compiles.length);
    assert.ok(rep.supervisor.seccompStops > 0 && rep.supervisor.exitStops > 0);
    assert.ok(rep.supervisor.busyMs > 0 && rep.supervisor.busyMs < rep.time.wallMs);
    assert.ok(rep.supervisor.trapped.includes('openat') && rep.supervisor.trapped.includes('socket'));
    assert.ok(rep.time.wallMs > 0);
    assert.ok(rep.time.cpu !== null && rep.time.cpu.userMs + rep.time.cpu.systemMs > 0, 'children CPU time');
    assert.equal(rep.denials.length, 0);
  });

  test('written when the command fails, is killed by a signal, or times out', async () => {
    const failed = await reported('version: 1\n', ['sh', '-c', 'exit 3']);
    assert.equal(failed.r.code, 3, show(failed.r));
    assert.equal(readReport(failed.file).exit.status, 3);
    assert.equal(readReport(failed.file).exit.code, 3);

    const killed = await reported('version: 1\n', ['sh', '-c', 'kill -TERM $$']);
    assert.equal(killed.r.code, 143, show(killed.r));
    const k = readReport(killed.file);
    assert.equal(k.exit.status, 143);
    assert.equal(k.exit.signal, 'SIGTERM');

    const slow = await reported('version: 1\nlimits: { timeout: 1s }\n', ['sh', '-c', 'sleep 30; echo never']);
    assert.equal(slow.r.code, 124, show(slow.r));
    const t = readReport(slow.file);
    assert.equal(t.exit.status, 124);
    assert.equal(t.exit.timedOut, true);
    assert.ok(t.processes.some((p) => p.argv[0] === 'sleep' && p.signal === 'SIGKILL'), JSON.stringify(t.processes));
  });

  test('a run tsbox cannot start still gets a report (exit 125, with the reason)', async () => {
    const { r, file } = await reported('version: 1\nprocess: { cwd: /nonexistent-tsbox-cwd }\n', ['true']);
    assert.equal(r.code, 125, show(r));
    const rep = readReport(file);
    assert.equal(rep.exit.status, 125);
    assert.match(rep.exit.error ?? '', /nonexistent-tsbox-cwd/);
  });

  test('network attempts: socket families, decoded addresses, and kernel denials counted', async () => {
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    const open = await reported('version: 1\n', [helper('socketcheck'), '9', dir]);
    assert.equal(open.r.code, 0, show(open.r));
    const rep = readReport(open.file);
    const families = new Set(rep.network.sockets.map((s) => s.family));
    for (const f of ['AF_INET', 'AF_INET6', 'AF_UNIX']) assert.ok(families.has(f), `${f} in ${[...families].join(' ')}`);
    const tcp = rep.network.addresses.find((a) => a.syscall === 'connect' && a.family === 'AF_INET');
    assert.ok(tcp, JSON.stringify(rep.network.addresses));
    assert.equal(tcp.address, '127.0.0.1');
    assert.equal(tcp.port, 9);
    assert.ok(tcp.failed.ECONNREFUSED, 'nothing listens on port 9');
    const unix = rep.network.addresses.find((a) => a.syscall === 'bind' && a.family === 'AF_UNIX');
    assert.equal(unix?.path, path.join(dir, 's'));

    // network: none refuses IP sockets in the kernel; the report still counts each refusal.
    const none = await reported('version: 1\nnetwork: none\n', [helper('socketcheck'), '9']);
    assert.equal(none.r.code, 0, show(none.r));
    const n = readReport(none.file);
    const refused = n.denials.filter((d) => d.syscall === 'socket');
    assert.ok(refused.length > 0 && refused.every((d) => d.detail === 'EACCES'), JSON.stringify(n.denials));
    assert.ok(n.network.sockets.some((s) => s.family === 'AF_INET' && s.failed.EACCES));
  });
});

describe('tsbox report', { skip: skipUnlessUnprivileged() }, () => {
  /** A run with a denial (a hidden file read) and a remap (getuid). */
  async function runWithDenial() {
    const secretDir = makeTmpDir();
    const secret = path.join(secretDir, 'id_rsa');
    fs.writeFileSync(secret, 'SECRET\n', { mode: 0o644 });
    const policyText = `version: 1\nname: demo\npaths:\n  - guest: ${q(secretDir)}\n    access: none\n` +
      'syscalls:\n  remap:\n    - syscall: [getuid, geteuid]\n      return: 0\n';
    const run = await reported(policyText, ['sh', '-c', `id -u; cat ${secret}; cat ${secret}; exit 0`]);
    assert.equal(run.r.code, 0, show(run.r));
    assert.equal(run.r.stdout, '0\n');
    return { ...run, secret };
  }

  test('the terminal summary: denials first, then the process tree and the top directories', async () => {
    const { file, secret } = await runWithDenial();
    const rep = readReport(file);
    const denial = rep.denials.find((d) => d.args.includes(secret));
    assert.ok(denial, JSON.stringify(rep.denials));
    assert.equal(denial.count, 2);
    assert.equal(denial.detail, 'read');
    assert.ok(rep.remaps.some((m) => m.syscall === 'geteuid' && m.detail === 'return 0' && m.count >= 1), JSON.stringify(rep.remaps));
    assert.ok(rep.files.denied.some((f) => f.path === secret && f.count === 2));

    const out = await runTsbox(['report', file], { user: 'unprivileged' });
    assert.equal(out.code, 0, show(out));
    const text = out.stdout;
    const at = (s: string) => text.indexOf(s);
    assert.ok(at('DENIALS (1)') > 0 && at('DENIALS (1)') < at('PROCESSES'), text);
    assert.ok(at('PROCESSES') < at('TOP DIRECTORIES'), text);
    assert.match(text, new RegExp(`2\\s+openat\\s+${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+read`));
    assert.match(text, /REMAPS \(\d\)[\s\S]*geteuid[\s\S]*return 0/);
    assert.match(text, /id -u/);
    assert.match(text, new RegExp(`${path.dirname(secret).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('--html: one self-contained page that headless Chromium renders with the denial', {
    skip: which('chromium') ? false : process.env.CI ? false : 'chromium is not installed (scripts/ensure-tools.sh installs it as root)',
  }, async () => {
    const { file, secret } = await runWithDenial();
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    const html = path.join(dir, 'report.html');
    const out = await runTsbox(['report', file, '--html', html], { user: 'unprivileged' });
    assert.equal(out.code, 0, show(out));
    const page = fs.readFileSync(html, 'utf8');
    assert.doesNotMatch(page, /<link\b|<script\b[^>]*\bsrc=|<img\b|url\(|https?:\/\//i, 'nothing loaded from elsewhere');

    const profile = makeTmpDir({ prefix: 'tsbox-chromium-' });
    const dom = await runAs('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', `file://${html}`,
    ], { timeoutMs: 90_000 });
    assert.equal(dom.code, 0, show(dom));
    // The denial row, as the browser parsed it (attributes and text of the live DOM).
    const rows = [...dom.stdout.matchAll(/<tr\b[^>]*data-denied="true"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[0]);
    assert.equal(rows.length, 1, dom.stdout.slice(0, 3000));
    assert.match(rows[0]!, /openat/);
    assert.ok(rows[0]!.includes(secret), rows[0]);
    // And the file-access tree marks the hidden file itself.
    const leaf = new RegExp(`<li data-path="${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" data-denied="true"`);
    assert.match(dom.stdout, leaf);
    assert.match(dom.stdout, /id="processes"[\s\S]*id -u/);
  });

  test('refuses a file that is not a version 1 report', async () => {
    const dir = makeTmpDir();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ schemaVersion: 2 }));
    const r = await runTsbox(['report', bad]);
    assert.equal(r.code, 125, show(r));
    assert.match(r.stderr, /schemaVersion 2 is not supported/);
  });
});

describe('progress line', () => {
  const script = which('script');

  test('on a terminal: processes, syscalls trapped and denials, redrawn in place', { skip: script ? false : 'util-linux script is missing' }, async () => {
    const policy = tmpPolicy(`version: 1\npaths:\n  - guest: /nonexistent-tsbox-hidden\n    access: none\n`);
    const cmd = [tsboxBin(), 'run', policy, '--', 'sh', '-c', 'cat /nonexistent-tsbox-hidden 2>/dev/null; sleep 1.8']
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ') + ' </dev/null'; // not interactive: the line is on
    const r = await runAs(script!, ['-q', '-e', '-c', cmd, '/dev/null']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /\r\x1b\[2Ktsbox: \d+ processes · [\d,]+ syscalls trapped · 1 denied · \ds/, JSON.stringify(r.stdout));
    const lastDraw = r.stdout.lastIndexOf('\r\x1b[2Ktsbox:');
    assert.ok(r.stdout.indexOf('\r\x1b[2K', lastDraw + 1) > lastDraw, 'the line is erased at the end');
  });

  test('not drawn under an interactive command (stdin a terminal too) unless --progress', { skip: script ? false : 'util-linux script is missing' }, async () => {
    const policy = tmpPolicy('version: 1\n');
    const quote = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const plain = await runAs(script!, ['-q', '-e', '-c', quote([tsboxBin(), 'run', policy, '--', 'sleep', '1.8']), '/dev/null']);
    assert.equal(plain.code, 0, show(plain));
    assert.doesNotMatch(plain.stdout, /tsbox: \d+ processes/, JSON.stringify(plain.stdout));
    const forced = await runAs(script!, ['-q', '-e', '-c', quote([tsboxBin(), 'run', '--progress', policy, '--', 'sleep', '1.8']), '/dev/null']);
    assert.equal(forced.code, 0, show(forced));
    assert.match(forced.stdout, /tsbox: \d+ processes/, JSON.stringify(forced.stdout));
  });

  test('silent when stderr is not a terminal', async () => {
    const r = await runTsbox(['run', tmpPolicy('version: 1\n'), '--', 'sh', '-c', 'sleep 0.6']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '');
  });
});
