// The sandbox as an unprivileged user (uid 65534 via setpriv when the tests run as root, else the
// current user): the product is rootless, so a representative subset of every feature must work
// here — paths, denials, remaps, identity, threads, pipelines, timeout, exit codes, examples.
// Skipping is refused under CI (skipUnlessUnprivileged throws there).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { helper, repoRoot } from './lib/helpers.js';
import {
  isRoot,
  makeTmpDir,
  runAs,
  runTsbox,
  skipUnlessUnprivileged,
  tmpPolicy,
  UNPRIVILEGED_UID,
  type RunOptions,
  type RunResult,
} from './lib/run.js';
import { show, diffLines, processesMatching, survivors, tcpListener } from './lib/check.js';

const U = { user: 'unprivileged' } as const;

/** tsbox run as the unprivileged user. */
function sandbox(policyText: string, cmd: string[], opts: RunOptions & { tsboxArgs?: string[] } = {}): Promise<RunResult> {
  return runTsbox(['run', ...(opts.tsboxArgs ?? []), tmpPolicy(policyText), '--', ...cmd], { ...U, ...opts });
}

/** The same program natively, as the same unprivileged user. */
function native(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAs(cmd, args, { ...U, ...opts });
}

const HEAD = 'version: 1\nlog: { denials: false }\n';
/** The uid the unprivileged runs really have. */
const realUid = () => (isRoot() ? UNPRIVILEGED_UID : process.getuid!());

describe('rootless: tsbox as an unprivileged user', { skip: skipUnlessUnprivileged() }, () => {
  test('the sandboxed program really runs unprivileged', async () => {
    const r = await sandbox(HEAD, ['sh', '-c', 'grep -E "^(Uid|CapEff)" /proc/self/status']);
    assert.equal(r.code, 0, show(r));
    const uid = realUid();
    assert.match(r.stdout, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
    assert.match(r.stdout, /^CapEff:\s+0+$/m);
  });

  test('exit codes: own, 128+N', async () => {
    assert.equal((await sandbox(HEAD, ['sh', '-c', 'exit 3'])).code, 3);
    assert.equal((await sandbox(HEAD, ['sh', '-c', 'kill -TERM $$'])).code, 143);
  });

  test('pipelines with many processes', async () => {
    const r = await sandbox(HEAD, ['sh', '-c', 'seq 1 20000 | sort -n | uniq | wc -l; for i in $(seq 1 50); do echo $i | cat; done | tail -1']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '20000\n50\n');
  });

  test('timeout: 124, quick, nothing left behind', async () => {
    const s = `30.${process.pid}77`;
    const r = await sandbox(`${HEAD}limits: { timeout: 1s }\n`, ['sh', '-c', `sleep ${s} & sleep ${s}`], { timeoutMs: 60_000 });
    assert.equal(r.code, 124, show(r));
    assert.ok(r.durationMs < 10_000, `${r.durationMs} ms`);
    assert.deepEqual(await survivors(`^sleep ${s}`), []);
  });

  describe('paths', () => {
    let work: string;
    let data: string;
    let policy: string;
    before(() => {
      work = makeTmpDir({ forUser: 'unprivileged', prefix: 'tsbox-work-' });
      data = makeTmpDir({ prefix: 'tsbox-data-' });
      fs.writeFileSync(path.join(data, 'file'), 'read only\n', { mode: 0o666 }); // writable by anyone natively
      fs.chmodSync(path.join(data, 'file'), 0o666);
      // Landlock cannot let a program create entries in a folder above a hidden one (/work and
      // /work/conf here: see the 'holds a hidden one' test), so new files go to /work/out.
      fs.mkdirSync(path.join(work, 'conf', 'secret'), { recursive: true });
      fs.mkdirSync(path.join(work, 'out'));
      fs.writeFileSync(path.join(work, 'conf', 'secret', 's'), 'hidden\n');
      fs.writeFileSync(path.join(work, 'target'), 'target\n');
      fs.symlinkSync('/work/target', path.join(work, 'link'));
      if (isRoot()) {
        for (const p of ['conf', 'conf/secret', 'conf/secret/s', 'out', 'target']) fs.chownSync(path.join(work, p), UNPRIVILEGED_UID, UNPRIVILEGED_UID);
        fs.lchownSync(path.join(work, 'link'), UNPRIVILEGED_UID, UNPRIVILEGED_UID);
      }
      policy = [
        HEAD.trim(),
        'paths:',
        `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
        '  - { guest: /work/conf/secret, access: none }',
        `  - { guest: /data, host: ${JSON.stringify(data)}, access: ro }`,
        '',
      ].join('\n');
    });

    test('rw bind: reads, writes, .., symlinks, getcwd in guest terms', async () => {
      const host = await native('cat', ['/etc/hostname']);
      const r = await sandbox(policy, ['sh', '-c', 'cd /work && cat ../etc/hostname && cat link && readlink link && cd out && echo new > new.txt && mkdir d && cd d && pwd -P && readlink /proc/self/cwd && ls /work/out']);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, `${host.stdout}target\n/work/target\n/work/out/d\n/work/out/d\nd\nnew.txt\n`);
      assert.equal(fs.readFileSync(path.join(work, 'out', 'new.txt'), 'utf8'), 'new\n');
      assert.equal(fs.statSync(path.join(work, 'out', 'new.txt')).uid, realUid());
      fs.rmSync(path.join(work, 'out', 'new.txt'));
      fs.rmSync(path.join(work, 'out', 'd'), { recursive: true });
    });

    test('ro bind: EROFS even where the host file is writable by this user', async () => {
      const n = await native('sh', ['-c', `test -w ${data}/file && echo writable`]);
      assert.equal(n.stdout, 'writable\n', 'the host file is writable natively');
      const r = await sandbox(policy, ['sh', '-c', 'cat /data/file; echo x >> /data/file; echo "append=$?"; rm -f /data/file; echo "rm=$?"']);
      assert.equal(r.stdout, 'read only\nappend=2\nrm=1\n', show(r));
      assert.match(r.stderr, /Read-only file system/);
      assert.equal(fs.readFileSync(path.join(data, 'file'), 'utf8'), 'read only\n');
    });

    test('none: ENOENT', async () => {
      const r = await sandbox(policy, ['sh', '-c', 'cat /work/conf/secret/s 2>&1; ls /work/conf/secret 2>&1; ls /work/conf; ls /work']);
      assert.equal(
        r.stdout,
        "cat: /work/conf/secret/s: No such file or directory\nls: cannot access '/work/conf/secret': No such file or directory\nconf\nlink\nout\ntarget\n",
        show(r),
      );
    });

    test('a folder that holds a hidden one: new entries refused (Landlock only grants), with the reason', async () => {
      const r = await sandbox(policy, ['sh', '-c', 'touch /work/conf/new 2>&1; echo "touch=$?"; echo x > /work/conf/new2; echo "redirect=$?"']);
      assert.equal(r.stdout, "touch: cannot touch '/work/conf/new': Permission denied\ntouch=1\nredirect=2\n", show(r));
      const why = r.stderr.split('\n').filter((l) => l.includes('Landlock can only grant'));
      assert.equal(why.length, 1, show(r)); // explained once per folder
      assert.ok(why[0].includes('"folder":"/work/conf"') && why[0].includes('/work/conf/secret (none)'), why[0]);
      assert.ok(!fs.existsSync(path.join(work, 'conf', 'new')));
    });

    test('pathcalls: bound folder gives the native result', async () => {
      const host = makeTmpDir({ forUser: 'unprivileged', prefix: 'tsbox-pathcalls-' });
      const n = await native(helper('pathcalls'), [host]);
      assert.equal(n.code, 0, n.stderr);
      const p = `${HEAD}paths:\n  - { guest: /work, host: ${JSON.stringify(host)}, access: rw }\n`;
      const problems: string[] = [];
      for (const memory of ['vm', 'peek']) {
        const r = await sandbox(p, [helper('pathcalls'), '/work'], { tsboxArgs: [`--memory=${memory}`] });
        if (r.code !== 0) problems.push(`--memory=${memory}: ${show(r)}`);
        else if (r.stdout !== n.stdout) problems.push(`--memory=${memory}: differences from the native run:\n${diffLines(n.stdout, r.stdout)}`);
      }
      assert.ok(problems.length === 0, problems.join('\n'));
    });

    test('exec of programs in a bind: path rewritten, argv intact, #! interpreter there; an unreadable program refused with the reason', async () => {
      const bin = path.join(work, 'out', 'bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.copyFileSync('/bin/echo', path.join(bin, 'myecho'));
      fs.chmodSync(path.join(bin, 'myecho'), 0o755);
      fs.writeFileSync(path.join(bin, 'script'), '#!/work/out/bin/myecho -n\n');
      fs.chmodSync(path.join(bin, 'script'), 0o755);
      // --x for everyone: natively this user may run it but not read it.
      fs.copyFileSync('/bin/echo', path.join(bin, 'xonly'));
      fs.chmodSync(path.join(bin, 'xonly'), 0o111);
      try {
        const r = await sandbox(policy, ['sh', '-c', '/work/out/bin/myecho a "b  c"; cd /work/out && bin/myecho d; /work/out/bin/script e f; echo; /work/out/bin/xonly g; echo "xonly=$?"']);
        assert.equal(r.stdout, 'a b  c\nd\n/work/out/bin/script e f\nxonly=126\n', show(r));
        assert.match(r.stderr, /Permission denied/);
        const why = r.stderr.split('\n').filter((l) => l.includes('may execute but not read'));
        assert.equal(why.length, 1, show(r));
        assert.ok(why[0].includes('"program":"/work/out/bin/xonly"'), why[0]);
      } finally {
        fs.rmSync(bin, { recursive: true });
      }
    });

    test('threads helper under the binds', async () => {
      const n = await native(helper('threads'), ['-n', '100', work, `${work}/target`, '/nonexistent'], { cwd: work });
      assert.equal(n.code, 0, n.stdout);
      const r = await sandbox(policy, ['sh', '-c', `cd /work && exec ${helper('threads')} -n 100 /work /work/target /nonexistent`]);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, n.stdout.split(work).join('/work'));
    });
  });

  describe('syscall rules', () => {
    test('deny with errno and with kill', async () => {
      const dir = makeTmpDir({ forUser: 'unprivileged' });
      const errno = await sandbox(`${HEAD}syscalls:\n  deny:\n    - syscall: [mkdir, mkdirat]\n      errno: EACCES\n`, ['mkdir', `${dir}/d`]);
      assert.equal(errno.code, 1, show(errno));
      assert.match(errno.stderr, /Permission denied/);
      const kill = await sandbox(`${HEAD}syscalls:\n  deny:\n    - syscall: [mkdir, mkdirat]\n      action: kill\n`, ['mkdir', `${dir}/d`]);
      assert.equal(kill.code, 159, show(kill));
      assert.ok(!fs.existsSync(`${dir}/d`));
      const ok = await native('mkdir', [`${dir}/d`]);
      assert.equal(ok.code, 0, 'mkdir works natively as this user');
    });

    test('remap getuid → 1234 and a path-conditioned errno', async () => {
      const work = makeTmpDir({ forUser: 'unprivileged' });
      for (const f of ['keep-me', 'other']) {
        fs.writeFileSync(path.join(work, f), f);
        if (isRoot()) fs.chownSync(path.join(work, f), UNPRIVILEGED_UID, UNPRIVILEGED_UID);
      }
      const policy = [
        HEAD.trim(),
        'paths:',
        `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
        'syscalls:',
        '  remap:',
        '    - syscall: [getuid, geteuid]',
        '      return: 1234',
        '    - syscall: unlinkat',
        '      args: [{ index: 1, op: eq, value: "/work/keep-me" }]',
        '      errno: EACCES',
        '',
      ].join('\n');
      const r = await sandbox(policy, ['sh', '-c', 'id -u; rm /work/keep-me 2>&1; rm /work/other; echo "other=$?"']);
      assert.equal(r.stdout, "1234\nrm: cannot remove '/work/keep-me': Permission denied\nother=0\n", show(r));
      assert.deepEqual(fs.readdirSync(work), ['keep-me']);
    });

    test('identity: id says root, chown 0:0 exits 0, nothing changes on the host, no real privilege', async () => {
      const dir = makeTmpDir({ forUser: 'unprivileged' });
      const f = path.join(dir, 'f');
      fs.writeFileSync(f, 'x');
      if (isRoot()) fs.chownSync(f, UNPRIVILEGED_UID, UNPRIVILEGED_UID);
      const nativeChown = await native('chown', ['0:0', f]);
      assert.notEqual(nativeChown.code, 0, 'chown to root fails natively for this user');
      const r = await sandbox(`${HEAD}identity: { uid: 0, gid: 0 }\n`, ['sh', '-c', `id; chown 0:0 ${f}; echo "chown=$?"; cat /etc/shadow >/dev/null 2>&1; echo "shadow=$?"`]);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /^uid=0\(root\) gid=0\(root\)[^\n]*\nchown=0\nshadow=1\n$/);
      const st = fs.statSync(f);
      assert.equal(st.uid, realUid(), 'the real owner changed');
    });

    test('network: none refuses TCP, keeps unix sockets', async () => {
      const server = await tcpListener();
      try {
        const port = String(server.port);
        const udir = makeTmpDir({ forUser: 'unprivileged' });
        const n = await native(helper('socketcheck'), [port, udir]);
        assert.match(n.stdout, /^connect 127\.0\.0\.1:PORT => 0$/m);
        const r = await sandbox(`${HEAD}network: none\n`, [helper('socketcheck'), port, udir]);
        assert.match(r.stdout, /^connect 127\.0\.0\.1:PORT => EACCES \(socket\)$/m, show(r));
        assert.match(r.stdout, /^unix stream => "y"$/m);
      } finally {
        server.close();
      }
    });
  });

  describe('examples', () => {
    test('tsbox check works for an unprivileged user', async () => {
      const r = await runTsbox(['check', path.join(repoRoot(), 'examples', 'ci-build.yaml')], U);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /network: none/);
    });

    test("the README's first command: id shows the real user, ls shows examples/ at /work", async () => {
      // README: "`id` shows that the command runs as you (no fake root here…)".
      const ls = await native('ls', [path.join(repoRoot(), 'examples')]);
      const r = await runTsbox(['run', 'examples/hello.yaml', '--', 'sh', '-c', 'id; ls /work'], { ...U, cwd: repoRoot() });
      assert.equal(r.code, 0, show(r));
      const [idLine, ...rest] = r.stdout.split('\n');
      assert.match(idLine, new RegExp(`^uid=${realUid()}\\(`));
      assert.equal(rest.join('\n'), ls.stdout);
    });

    test('fake-root.yaml', async () => {
      const dir = makeTmpDir({ forUser: 'unprivileged' });
      const r = await runTsbox(
        ['run', path.join(repoRoot(), 'examples', 'fake-root.yaml'), '--', 'sh', '-c', `id -u; touch ${dir}/f && chown root:root ${dir}/f; echo "chown=$?"`],
        U,
      );
      assert.equal(r.stdout, '0\nchown=0\n', show(r));
      assert.equal(fs.statSync(`${dir}/f`).uid, realUid());
    });

    test('ci-build.yaml: project at /work, no network', async () => {
      const r = await runTsbox(
        ['run', path.join(repoRoot(), 'examples', 'ci-build.yaml'), '--', 'sh', '-c', `pwd; test -f /work/package.json && echo has-package; ${helper('socketcheck')} | head -1`],
        U,
      );
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, '/work\nhas-package\nsocket AF_INET SOCK_STREAM => EACCES\n');
    });
  });
});
