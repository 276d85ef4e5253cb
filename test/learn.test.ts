// `tsbox learn`: a policy learned from one `make -j2` of a small C project (run as the
// unprivileged user, with a fake $HOME holding .ssh/id_rsa) loads, lets the same build pass
// again, and denies a modified build that reads ~/.ssh. Plus the rules themselves, derived from
// hand-made reports: collapsing, $HOME hiding, network and the dangerous-syscall denials.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadPolicySync } from '../policy/load.js';
import { learnFromReport } from '../runtime/learn/learn.js';
import { writePolicy } from '../runtime/learn/write-policy.js';
import { compilePolicySource } from '../policy/load.js';
import type { Report } from '../runtime/report/schema.js';
import { BASELINE } from '../runtime/baseline.js';
import { cleanCProject, giveTo, writeCProject } from './lib/cproject.js';
import { makeTmpDir, runTsbox, skipUnlessUnprivileged, type RunResult } from './lib/run.js';

/** Syscalls tsbox refuses in every sandbox (runtime/baseline.ts): a learned policy need not list them. */
const ALWAYS_DENIED = new Set(BASELINE.filter((b) => !b.args).flatMap((b) => b.syscalls));

const show = (r: RunResult) => `code=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 1500))} stderr=${JSON.stringify(r.stderr.slice(0, 3000))}`;

describe('tsbox learn on a make -j2 build', { skip: skipUnlessUnprivileged() }, () => {
  test('the learned policy loads, passes the same build, and denies a build that reads ~/.ssh', async () => {
    const base = makeTmpDir({ forUser: 'unprivileged' });
    const project = writeCProject(path.join(base, 'proj'), 3);
    // The compiler's temporary files go into the project, not /tmp: the fake $HOME lives under /tmp
    // too, and Landlock cannot let a folder holding hidden entries gain new ones (see learn.ts).
    const tmp = path.join(project.dir, '.tmp');
    fs.mkdirSync(tmp);
    const home = path.join(base, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY\n', { mode: 0o600 });
    fs.mkdirSync(path.join(home, '.config'));
    fs.writeFileSync(path.join(home, 'notes.txt'), 'notes\n');
    giveTo(base, 'unprivileged');
    const env = { ...process.env, HOME: home, TMPDIR: tmp };
    const policyFile = path.join(base, 'learned.yaml');
    const reportFile = path.join(base, 'learn-report.json');

    const learned = await runTsbox(['learn', '-o', policyFile, '--report', reportFile, '--', 'make', '-j2'],
      { user: 'unprivileged', cwd: project.dir, env });
    assert.equal(learned.code, 0, show(learned));
    assert.match(learned.stderr, /learned policy written to/);
    for (const o of project.objects) assert.ok(fs.existsSync(o), `${o} built during learning`);
    const text = fs.readFileSync(policyFile, 'utf8');

    // It loads, and says what it means.
    const plan = loadPolicySync(policyFile);
    const rule = (guest: string) => plan.paths.find((p) => p.guest === guest);
    assert.equal(rule(project.dir)?.access, 'rw', text);
    assert.equal(rule(path.join(home, '.ssh'))?.access, 'none', text);
    assert.equal(rule(path.join(home, '.config'))?.access, 'none', text);
    assert.equal(rule(path.join(home, 'notes.txt'))?.access, 'none', text);
    assert.equal(rule('/usr')?.access, 'ro', text);
    assert.equal(rule('/')?.access, 'ro', text);
    assert.equal(plan.network, 'none');
    const denied = new Set(plan.syscalls.deny.flatMap((d) => d.syscalls.map((s) => s.name)));
    for (const s of ['mount', 'umount2', 'unshare', 'setns', 'chroot', 'pivot_root']) {
      assert.ok(denied.has(s) || ALWAYS_DENIED.has(s), `${s} denied:\n${text}`);
    }
    assert.deepEqual(plan.process.args, ['make', '-j2']);
    assert.equal(plan.process.cwd, project.dir);
    assert.match(text, /^# Least-privilege policy written by `tsbox learn`/);
    assert.match(text, /# the project folder \(the cwd\): \d+ path\(s\) written, e.g. /);
    assert.match(text, /network: none {2}# no socket other than AF_UNIX/);
    assert.ok(fs.existsSync(reportFile), 'the learning run\'s report');

    // The same build passes under it (the policy's own process.args).
    cleanCProject(project);
    const again = await runTsbox(['run', '--report', path.join(base, 'again.json'), policyFile], { user: 'unprivileged', cwd: project.dir, env });
    assert.equal(again.code, 0, show(again));
    for (const o of project.objects) assert.ok(fs.existsSync(o), `${o} rebuilt`);
    const againReport = JSON.parse(fs.readFileSync(path.join(base, 'again.json'), 'utf8')) as Report;
    assert.deepEqual(againReport.denials, [], 'nothing the build does is denied');

    // A modified build that also reads the private key is refused: it sees no such file.
    cleanCProject(project);
    const makefile = path.join(project.dir, 'Makefile');
    fs.writeFileSync(makefile, fs.readFileSync(makefile, 'utf8').replace('\t$(CC) -o $@ $(OBJS)\n', '\t$(CC) -o $@ $(OBJS)\n\tcat $(HOME)/.ssh/id_rsa\n'));
    const sneaky = await runTsbox(['run', '--report', path.join(base, 'sneaky.json'), policyFile], { user: 'unprivileged', cwd: project.dir, env });
    assert.notEqual(sneaky.code, 0, show(sneaky));
    assert.doesNotMatch(sneaky.stdout, /PRIVATE KEY/);
    assert.match(sneaky.stderr, /id_rsa: No such file or directory/);
    const sneakyReport = JSON.parse(fs.readFileSync(path.join(base, 'sneaky.json'), 'utf8')) as Report;
    assert.ok(sneakyReport.denials.some((d) => d.args.includes(path.join(home, '.ssh', 'id_rsa'))), JSON.stringify(sneakyReport.denials));
  });

  test('--base: the base\'s binds and settings are kept (host paths made absolute) and the learned rules added', async () => {
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    const proj = path.join(dir, 'proj');
    fs.mkdirSync(proj);
    giveTo(proj, 'unprivileged');
    const base = path.join(dir, 'base.yaml');
    fs.writeFileSync(base, 'version: 1\nname: with-base\nprocess:\n  cwd: /work\n  env: { set: { GREETING: hello } }\n' +
      'paths:\n  - guest: /work\n    host: ./proj\n    access: ro\nlimits: { timeout: 1m }\n', { mode: 0o644 });
    const out = path.join(dir, 'elsewhere', 'learned.yaml');
    fs.mkdirSync(path.dirname(out));
    giveTo(path.dirname(out), 'unprivileged');
    const script = 'echo "$GREETING" > result.txt; cat result.txt';
    const r = await runTsbox(['learn', '-o', out, '--base', base, '--', 'sh', '-c', script], { user: 'unprivileged', cwd: dir });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'hello\n', 'the learning run was permissive: the ro bind was writable');
    const text = fs.readFileSync(out, 'utf8');
    const plan = loadPolicySync(out);
    assert.equal(plan.name, 'with-base');
    const work = plan.paths.find((p) => p.guest === '/work');
    assert.equal(work?.host, fs.realpathSync(proj), text);
    assert.equal(work?.access, 'rw', 'the base said ro, the run wrote there');
    assert.match(text, /\(the base policy said ro\)/);
    assert.equal(plan.process.env.set.GREETING, 'hello');
    assert.equal(plan.process.cwd, '/work');
    assert.equal(plan.limits.timeoutMs, 60_000);
    assert.match(text, /# Based on .*base\.yaml/);
    // And the learned policy runs the same command (its process.args) from anywhere.
    fs.rmSync(path.join(proj, 'result.txt'));
    const again = await runTsbox(['run', out], { user: 'unprivileged' });
    assert.equal(again.code, 0, show(again));
    assert.equal(again.stdout, 'hello\n');
  });

  test('a command that fails: its exit status is tsbox\'s, and the policy is written with a warning', async () => {
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    const out = path.join(dir, 'p.yaml');
    const env = { ...process.env, PATH: '/usr/bin:/bin' };
    const r = await runTsbox(['learn', '-o', out, '--', 'no-such-command-tsbox'], { user: 'unprivileged', cwd: dir, env });
    assert.equal(r.code, 127, show(r));
    assert.match(r.stderr, /the command failed \(exit status 127\)/);
    assert.equal(loadPolicySync(out).network, 'none');
  });
});

/** A report with only what learnFromReport reads. */
function report(over: Omit<Partial<Report>, 'files'> & { files?: Partial<Report['files']> }): Report {
  const files = { read: [], written: [], executed: [], created: [], deleted: [], writeChecked: [], denied: [], failed: [], ...over.files };
  return {
    schemaVersion: 1, tsbox: 'test', command: ['build'], cwd: '/src/app', home: '/home/u',
    policy: { name: 'learn', file: '/x', digest: '0' }, startedAt: '2026-01-01T00:00:00.000Z',
    exit: { status: 0, code: 0, signal: null, timedOut: false, error: null },
    time: { wallMs: 1, cpu: null, maxRssKiB: null, tsbox: { userMs: 0, systemMs: 0 } },
    supervisor: { seccompStops: 0, exitStops: 0, busyMs: 0, trapped: ['mount', 'unshare', 'setns', 'chroot'] },
    processes: [], network: { sockets: [], addresses: [] }, denials: [], remaps: [], syscalls: {},
    ...over,
    files,
  } as Report;
}
const paths = (...p: string[]) => p.map((path) => ({ path, count: 1 }));

describe('learned rules', () => {
  test('writes collapse to the project, /tmp and $HOME entries; reads to top-level trees', () => {
    const l = learnFromReport(report({
      files: {
        written: paths('/src/app/build/a.o', '/src/app/out/b.o', '/tmp/cc1.s', '/home/u/.cache/tool/x', '/dev/null', '/var/lib/thing/state'),
        created: paths('/src/app/build/a.o', '/var/lib/thing'),
        read: paths('/usr/include/stdio.h', '/usr/lib/libc.so', '/etc/passwd', '/home/u/.gitconfig', '/src/app/main.c', '/proc/123/status'),
        executed: paths('/usr/bin/cc'),
        failed: [{ path: '/home/u/.local/nope', count: 3, errno: { ENOENT: 3 }, writes: 0 }],
      },
    }), ['.cache', '.gitconfig', '.ssh', '.local', 'Documents']);
    const by = Object.fromEntries(l.rules.map((r) => [r.guest, r.access]));
    assert.equal(by['/src/app'], 'rw');
    assert.equal(by['/tmp'], 'rw');
    assert.equal(by['/home/u/.cache'], 'rw');
    assert.equal(by['/dev/null'], 'rw');
    assert.equal(by['/var/lib'], 'rw', 'the folder created by the run is not there before it: its parent');
    assert.equal(by['/usr'], 'ro');
    assert.equal(by['/etc'], 'ro');
    assert.equal(by['/proc'], 'ro');
    assert.equal(by['/home/u/.gitconfig'], 'ro');
    assert.equal(by['/home/u/.ssh'], 'none');
    assert.equal(by['/home/u/Documents'], 'none');
    assert.equal(by['/home/u/.local'], 'none', 'a failed probe does not make an entry used');
    assert.equal(by['/src/app/build'], undefined, 'no rule inside another');
    assert.equal(l.network, 'none');
    assert.deepEqual(l.deny, ['mount', 'chroot', 'setns', 'unshare'].filter((n) => !ALWAYS_DENIED.has(n)));
    // The policy text loads.
    const plan = compilePolicySource(writePolicy(l, null), '/tmp/learned.yaml');
    assert.equal(plan.paths.find((p) => p.guest === '/home/u/.ssh')?.access, 'none');
  });

  test('network: host once an IP socket was made; a dangerous call that was used is not denied', () => {
    const l = learnFromReport(report({
      network: { sockets: [{ family: 'AF_INET6', type: 'SOCK_STREAM', count: 1, failed: {} }], addresses: [] },
      syscalls: { unshare: 2 },
    }), []);
    assert.equal(l.network, 'host');
    assert.match(l.networkWhy, /AF_INET6/);
    assert.ok(!l.deny.includes('unshare'));
    assert.deepEqual(l.used, ['unshare']);
    const text = writePolicy(l, null);
    assert.match(text, /Called during the run, so allowed: unshare/);
    compilePolicySource(text, '/tmp/learned.yaml');
  });

  test('mkdir of a folder that exists (EEXIST) still needs it writable', () => {
    const l = learnFromReport(report({
      cwd: '/',
      files: { failed: [{ path: '/data/cache', count: 1, errno: { EEXIST: 1 }, writes: 1 }] },
    }), []);
    assert.ok(l.rules.some((r) => r.guest === '/data' && r.access === 'rw'), JSON.stringify(l.rules));
  });
});
