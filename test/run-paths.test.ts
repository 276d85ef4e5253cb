// Virtualized paths end to end: a temp folder bound rw at /work, one ro at /data, hidden entries
// (access: none), with absolute, cwd-relative and dirfd-relative names, `..`, symlinks inside the
// binds, and what programs read back (getcwd, pwd -P, /proc/self/cwd, readlink). Everything runs
// twice: with the default tracee memory access (process_vm_readv) and with --memory=peek, which
// must give the same results.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { helper } from './lib/helpers.js';
import { makeTmpDir, runNative, runTsbox, tmpPolicy, type RunOptions, type RunResult } from './lib/run.js';
import { show, diffLines } from './lib/check.js';
import { writeCorruptPrograms } from './lib/corrupt-programs.js';

interface Fixture {
  work: string; // bound rw at /work; /work/secret inside it is hidden
  data: string; // bound ro at /data
  hidden: string; // hidden at its own (host) path
  policy: string;
}

/**
 * /work  (rw) target, sub/inner, abs-link → /work/target, rel-link → target, up-link →
 *             ../etc/hostname, ro-link → /data/file, secret/s (hidden: access none)
 * /data  (ro) file, dir/
 * HIDDEN (none, at its host path) s
 */
function makeFixture(): Fixture {
  const work = makeTmpDir({ prefix: 'tsbox-work-' });
  fs.writeFileSync(path.join(work, 'target'), 'target contents\n');
  fs.mkdirSync(path.join(work, 'sub'));
  fs.writeFileSync(path.join(work, 'sub', 'inner'), 'inner contents\n');
  fs.symlinkSync('/work/target', path.join(work, 'abs-link'));
  fs.symlinkSync('target', path.join(work, 'rel-link'));
  fs.symlinkSync('../etc/hostname', path.join(work, 'up-link'));
  fs.symlinkSync('/data/file', path.join(work, 'ro-link'));
  fs.mkdirSync(path.join(work, 'secret'));
  fs.writeFileSync(path.join(work, 'secret', 's'), 'top secret\n');
  const data = makeTmpDir({ prefix: 'tsbox-data-' });
  fs.writeFileSync(path.join(data, 'file'), 'read only\n');
  fs.mkdirSync(path.join(data, 'dir'));
  const hidden = makeTmpDir({ prefix: 'tsbox-hidden-' });
  fs.writeFileSync(path.join(hidden, 's'), 'hidden\n');
  const policy = tmpPolicy(
    [
      'version: 1',
      'log: { denials: false }',
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
      '  - { guest: /work/secret, access: none }',
      `  - { guest: /data, host: ${JSON.stringify(data)}, access: ro }`,
      `  - { guest: ${JSON.stringify(hidden)}, access: none }`,
      '',
    ].join('\n'),
  );
  return { work, data, hidden, policy };
}

/** A snapshot of a host folder: relative path → type and content (files) or target (links). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out[r] = `link ${fs.readlinkSync(path.join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(r);
      } else out[r] = `file ${(st.mode & 0o7777).toString(8)} ${fs.readFileSync(path.join(dir, r), 'utf8')}`;
    }
  };
  walk('');
  return out;
}

for (const memory of ['vm', 'peek'] as const) {
  describe(`paths (--memory=${memory})`, () => {
    let fx: Fixture;
    before(() => {
      fx = makeFixture();
    });
    const run = (cmd: string[], opts: RunOptions = {}) => runTsbox(['run', `--memory=${memory}`, fx.policy, '--', ...cmd], opts);
    const sh = (script: string, opts: RunOptions = {}) => run(['sh', '-c', script], opts);

    test('absolute, cwd-relative and ..-relative names inside a bind', async () => {
      const r = await sh('cat /work/target; cd /work && cat target && cat ./sub/../target; cd sub && cat inner ../target; cat /work/sub/inner');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'target contents\n'.repeat(3) + 'inner contents\ntarget contents\ninner contents\n');
    });

    test('`..` out of a bind leads to the guest parent, not the host one', async () => {
      const native = await runNative('cat', ['/etc/hostname']);
      const r = await sh('cd /work && cat ../etc/hostname; cat /work/../etc/hostname; cd /work/sub && cat ../../etc/hostname; cat /data/../etc/hostname');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, native.stdout.repeat(4));
    });

    test('symlinks inside binds resolve in guest terms', async () => {
      const native = await runNative('cat', ['/etc/hostname']);
      const r = await sh(
        'cat /work/abs-link; cat /work/rel-link; cat /work/up-link; cat /work/ro-link; ' +
          'readlink /work/abs-link; readlink -f /work/abs-link; readlink -f /work/sub/../rel-link; realpath /work/ro-link; ' +
          'cd /work/sub && cat ../abs-link',
      );
      assert.equal(r.code, 0, show(r));
      assert.equal(
        r.stdout,
        'target contents\ntarget contents\n' + native.stdout + 'read only\n' +
          '/work/target\n/work/target\n/work/target\n/data/file\ntarget contents\n',
      );
    });

    test('a symlinked folder re-pointed inside the sandbox is followed to its new target at once', async () => {
      // Resolutions through symlinked folders are remembered while nothing changes (paths.ts):
      // the rm and ln -s below are changes, so the next lookups must see the new link.
      const r = await sh(
        'mkdir -p /work/sub/va /work/sub/vb && echo A > /work/sub/va/f && echo B > /work/sub/vb/f && ln -sfn va /work/sub/vlink && ' +
          'cat /work/sub/vlink/f; cat /work/sub/vlink/f; rm /work/sub/vlink && ln -s vb /work/sub/vlink && cat /work/sub/vlink/f; ' +
          'rm /work/sub/vlink && mkdir /work/sub/vlink && echo C > /work/sub/vlink/f && cat /work/sub/vlink/f; ' +
          'rm -r /work/sub/va /work/sub/vb /work/sub/vlink', // the fixture is shared with later tests
      );
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'A\nA\nB\nC\n', show(r));
    });

    test('a file replaced by a symlink (and back) inside the sandbox is followed at once', async () => {
      // Absolute paths are remembered too, last component included: every change forgets them.
      const r = await sh(
        'mkdir -p /work/sub/fl && echo plain > /work/sub/fl/f && cat /work/sub/fl/f; cat /work/sub/fl/f; ' +
          'rm /work/sub/fl/f && ln -s /work/target /work/sub/fl/f && cat /work/sub/fl/f; ' +
          'mv /work/sub/fl/f /work/sub/fl/g && echo again > /work/sub/fl/f && cat /work/sub/fl/f /work/sub/fl/g; ' +
          'rm -r /work/sub/fl',
      );
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'plain\nplain\ntarget contents\nagain\ntarget contents\n', show(r));
    });

    test('getcwd, pwd -P and /proc/self/cwd show guest paths', async () => {
      const r = await sh('cd /work/sub && pwd && pwd -P && /bin/pwd && readlink /proc/self/cwd && readlink /proc/$$/cwd && cd .. && pwd -P && cd /data/dir && /bin/pwd');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, '/work/sub\n'.repeat(5) + '/work\n/data/dir\n');
      const g = await run([helper('getcwd'), '/work/sub']);
      assert.equal(g.code, 0, show(g));
      assert.equal(
        g.stdout,
        'chdir /work/sub => 0\ngetcwd => "/work/sub" len=10\nlibc getcwd => "/work/sub"\nreadlink /proc/self/cwd => "/work/sub"\n',
      );
    });

    test('the starting cwd follows the caller when the guest sees it through a bind', async () => {
      const r = await run([helper('getcwd')], { cwd: path.join(fx.work, 'sub') });
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /^getcwd => "\/work\/sub" len=10$/m);
      assert.match(r.stdout, /^readlink \/proc\/self\/cwd => "\/work\/sub"$/m);
    });

    test('/proc/self/fd and /proc/self/exe show guest paths', async () => {
      fs.copyFileSync('/bin/sh', path.join(fx.work, 'mysh'));
      fs.chmodSync(path.join(fx.work, 'mysh'), 0o755);
      try {
        const r = await run(['/work/mysh', '-c', 'exec 3</work/target; readlink /proc/$$/fd/3; readlink /proc/$$/exe']);
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, '/work/target\n/work/mysh\n');
      } finally {
        fs.rmSync(path.join(fx.work, 'mysh'));
      }
    });

    test('ls lists the host folder', async () => {
      const native = await runNative('ls', ['-a', path.join(fx.work, 'sub')]);
      const r = await sh('ls -a /work/sub; cd /work && ls -a sub');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, native.stdout.repeat(2));
      assert.ok(native.stdout.includes('inner'));
    });

    test('find walks a bind with dirfd-relative calls and gives the native tree', async () => {
      const native = await runNative('sh', ['-c', `cd ${fx.work} && find sub . -path ./secret -prune -o -print | sort`]);
      const r = await sh('cd /work && find sub . -path ./secret -prune -o -print | sort');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, native.stdout);
      const abs = await sh('find /work/sub -type f | sort');
      assert.equal(abs.stdout, '/work/sub/inner\n', show(abs));
    });

    test('writes land in the host folder', async () => {
      // In /work/sub: /work itself holds the hidden /work/secret, so Landlock cannot let new
      // entries be made directly in it (test/run-rootless.test.ts checks that refusal).
      const r = await sh(
        'set -e; echo written > /work/sub/new.txt; mkdir /work/sub/newdir; cd /work/sub/newdir && echo rel > rel.txt; ' +
          'ln -s ../new.txt /work/sub/newdir/link; mv /work/sub/newdir/rel.txt /work/sub/newdir/moved.txt; cat /work/sub/newdir/link; ' +
          'cp /work/target /work/sub/copy; chmod 600 /work/sub/copy; cat /work/sub/copy',
      );
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'written\ntarget contents\n');
      const sub = path.join(fx.work, 'sub');
      try {
        assert.equal(fs.readFileSync(path.join(sub, 'new.txt'), 'utf8'), 'written\n');
        assert.equal(fs.readFileSync(path.join(sub, 'newdir', 'moved.txt'), 'utf8'), 'rel\n');
        assert.equal(fs.readlinkSync(path.join(sub, 'newdir', 'link')), '../new.txt');
        assert.equal(fs.statSync(path.join(sub, 'copy')).mode & 0o777, 0o600);
        assert.ok(!fs.existsSync(path.join(sub, 'newdir', 'rel.txt')));
      } finally {
        for (const n of ['new.txt', 'newdir', 'copy']) fs.rmSync(path.join(sub, n), { recursive: true, force: true });
      }
    });

    test('ro: every kind of write fails with "Read-only file system" and the host is untouched', async () => {
      const before = snapshot(fx.data);
      const beforeWork = snapshot(fx.work);
      const cmds = [
        'touch /data/new',
        'touch /data/file',
        'mkdir /data/d',
        'rm /data/file',
        'rmdir /data/dir',
        'mv /data/file /data/moved',
        'mv /data/file /work/stolen',
        'ln -s x /data/l',
        'ln /data/file /work/hardlink',
        'chmod 600 /data/file',
        'truncate -s 0 /data/file',
        'cp /work/target /data/',
        'mkfifo /data/fifo',
        'sh -c "echo x >> /data/file"',
        'sh -c "echo x > /work/ro-link"',
        'touch /work/../data/new',
      ];
      const script = cmds.map((c) => `${c} 2>&1; echo "status=$?"`).join('; ');
      const r = await sh(script);
      assert.equal(r.code, 0, show(r));
      const chunks = r.stdout.split(/^status=(\d+)\n/m);
      // split with a capture group: [out0, status0, out1, status1, …, rest]
      for (let i = 0; i < cmds.length; i++) {
        const out = chunks[2 * i];
        const status = chunks[2 * i + 1];
        assert.notEqual(status, '0', `${cmds[i]} succeeded: ${JSON.stringify(out)}`);
        assert.match(out, /Read-only file system/, `${cmds[i]}: ${JSON.stringify(out)}`);
        assert.ok(!out.includes(fx.data), `${cmds[i]} printed a host path: ${out}`);
      }
      assert.deepEqual(snapshot(fx.data), before, 'the ro folder changed');
      assert.deepEqual(snapshot(fx.work), beforeWork, 'a write through the ro bind showed up in /work');
      // Reading still works.
      const read = await sh('cat /data/file; ls /data; test -w /data/file && echo writable || echo not-writable');
      assert.equal(read.stdout, 'read only\ndir\nfile\nnot-writable\n', show(read));
    });

    test('none: ENOENT for cat, ls, stat, cd, also through .. and symlinks', async () => {
      fs.symlinkSync('/work/secret/s', path.join(fx.work, 'to-secret'));
      try {
        // [command, its exact message, its exit status]
        const cmds: [string, string, number][] = [
          ['cat /work/secret/s', 'cat: /work/secret/s: No such file or directory', 1],
          ['ls /work/secret', "ls: cannot access '/work/secret': No such file or directory", 2],
          ['stat -c %n /work/secret', "stat: cannot statx '/work/secret': No such file or directory", 1],
          ['cat /work/sub/../secret/s', 'cat: /work/sub/../secret/s: No such file or directory', 1],
          ['cat /work/to-secret', 'cat: /work/to-secret: No such file or directory', 1],
          [`cat ${fx.hidden}/s`, `cat: ${fx.hidden}/s: No such file or directory`, 1],
          [`ls ${fx.hidden}`, `ls: cannot access '${fx.hidden}': No such file or directory`, 2],
          ['touch /work/secret/new', "touch: cannot touch '/work/secret/new': No such file or directory", 1],
        ];
        const r = await sh(cmds.map(([c]) => `${c} 2>&1; echo "status=$?"`).join('; '));
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, cmds.map(([, msg, status]) => `${msg}\nstatus=${status}\n`).join(''));
        const cd = await run([helper('getcwd'), '/work/secret']);
        assert.match(cd.stdout, /^chdir \/work\/secret => ENOENT$/m, show(cd));
        const cd2 = await run([helper('getcwd'), fx.hidden]);
        assert.match(cd2.stdout, new RegExp(`^chdir ${fx.hidden} => ENOENT$`, 'm'), show(cd2));
        assert.ok(!fs.existsSync(path.join(fx.work, 'secret', 'new')));
      } finally {
        fs.rmSync(path.join(fx.work, 'to-secret'));
      }
    });

    test('none: a hidden entry is left out of its parent\'s listing ("listing included")', async () => {
      const native = await runNative('ls', ['-A', fx.work]);
      assert.match(native.stdout, /^secret$/m);
      const r = await sh('ls -A /work');
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, native.stdout.replace(/^secret\n/m, ''));
      const parent = path.dirname(fx.hidden);
      const p = await sh(`ls -A ${parent} | grep -x ${path.basename(fx.hidden)} || echo absent`);
      assert.equal(p.stdout, 'absent\n', show(p));
    });

    test('exec from a bind, scripts included, with argv in guest terms', async () => {
      fs.writeFileSync(path.join(fx.work, 'script.sh'), '#!/bin/sh\necho "script $0 $1"\n', { mode: 0o755 });
      try {
        const r = await sh('/work/script.sh a; cd /work && ./script.sh b && sh script.sh c');
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, 'script /work/script.sh a\nscript ./script.sh b\nscript script.sh c\n');
      } finally {
        fs.rmSync(path.join(fx.work, 'script.sh'));
      }
    });

    test('exec of a folder or a FIFO: "Permission denied" as natively, at once, nothing logged', async () => {
      const fifo = path.join(fx.work, 'sub', 'fifo');
      assert.equal(spawnSync('mkfifo', ['-m', '755', fifo]).status, 0);
      try {
        const r = await sh('/work/sub; echo "folder $?"; /work/sub/fifo; echo "fifo $?"', { timeoutMs: 30_000 });
        assert.equal(r.stdout, 'folder 126\nfifo 126\n', show(r));
        assert.equal(r.stderr, 'sh: 1: /work/sub: Permission denied\nsh: 1: /work/sub/fifo: Permission denied\n', show(r));
      } finally {
        fs.rmSync(fifo);
      }
    });

    test('exec of 80 corrupted programs in a bind: the kernel\'s answer for each, and tsbox never fails itself', async () => {
      const dir = path.join(fx.work, 'sub', 'corrupt');
      fs.mkdirSync(dir);
      try {
        const files = writeCorruptPrograms(dir, 80, 20261205);
        // forkexec runs each with execv (no shell fallback: random bytes must not run as a script)
        // and prints how it ended.
        const loop = (at: string) => `for f in ${files.map((f) => f.name).join(' ')}; do echo "$f $(timeout 5 ${helper('forkexec')} 1 ${at}/$f 2>/dev/null)"; done`;
        const native = await runNative('sh', ['-c', loop(dir)], { cwd: dir });
        const r = await run(['sh', '-c', loop('/work/sub/corrupt')], { cwd: dir, timeoutMs: 120_000 });
        assert.equal(r.code, 0, show(r));
        assert.doesNotMatch(r.stderr, /internal error/, show(r));
        const lines = r.stdout.trim().split('\n');
        assert.equal(lines.length, files.length, show(r));
        // A flipped ELF may crash or not depending on where things land (ASLR): the others are
        // decided before anything runs, so sandboxed and native must agree on them.
        const nativeLines = native.stdout.trim().split('\n');
        files.forEach((f, i) => {
          if (f.kind !== 'flipped-elf') assert.equal(lines[i], nativeLines[i], `${f.name} (${f.kind})`);
        });
      } finally {
        fs.rmSync(dir, { recursive: true });
      }
    });

    test('odd names (x/., dir/.., a 256-byte component, trailing slashes, dangling links) get the native answers', async () => {
      const dir = path.join(fx.work, 'sub', 'odd');
      fs.mkdirSync(path.join(dir, 'dir', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'file'), 'x\n');
      fs.symlinkSync('file', path.join(dir, 'lnk'));
      fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
      fs.symlinkSync('dir', path.join(dir, 'dlnk'));
      const names = ['file', 'file/', 'file/.', 'file/./', 'file/./..', 'file/../file', 'dir/', 'dir/.', 'dir/..', 'dir/./../file',
        'dir/sub/../../file', './dir/./sub/.', 'lnk', 'lnk/', 'lnk/.', 'dangling', 'dangling/', 'dangling/.', 'dlnk/', 'dlnk/.',
        'dlnk/sub/..', 'dlnk/../file', 'dir//sub', 'a'.repeat(255), 'a'.repeat(256), `dir/${'b'.repeat(256)}/x`, 'file/x',
        'nonexist/..', 'nonexist/../file', 'missing/'];
      // Each name through lstat, stat and open (coreutils), errors included, the folder shown as B.
      const script = (base: string) => names.map((n) =>
        `for c in "stat -c %F" "stat -L -c %F" "cat"; do echo "$c ${n.slice(0, 12)}: $($c '${base}/${n}' 2>&1 >/dev/null | sed 's|${base}|B|g')"; done`).join('; ');
      try {
        const native = await runNative('sh', ['-c', script(dir)]);
        const r = await sh(script('/work/sub/odd'));
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, native.stdout, diffLines(native.stdout, r.stdout));
      } finally {
        fs.rmSync(dir, { recursive: true });
      }
    });

    test('a program rewritten in place (same file, same size) between two execs runs as it is now', async () => {
      const v1 = '#!/bin/sh\necho one\n';
      const v2 = '#!/bin/cat\nhi one!\n';
      assert.equal(v1.length, v2.length);
      const dir = path.join(fx.work, 'rewrite'); // /work itself holds a hidden folder: no creating there
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'again'), v1, { mode: 0o755 });
      const write = (v: string) => `printf '${v.replaceAll('\n', '\\n')}' > /work/rewrite/again`;
      try {
        const r = await sh(`/work/rewrite/again; ${write(v2)}; /work/rewrite/again; ${write(v1)}; /work/rewrite/again; ` +
          'cp /bin/echo /work/rewrite/again; /work/rewrite/again elf');
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, `one\n${v2}one\nelf\n`, show(r));
      } finally {
        fs.rmSync(dir, { recursive: true });
      }
    });

    test('a #! interpreter that lives inside a bind is found by its guest path', async () => {
      fs.mkdirSync(path.join(fx.work, 'bin'));
      fs.copyFileSync('/bin/sh', path.join(fx.work, 'bin', 'mysh'));
      fs.chmodSync(path.join(fx.work, 'bin', 'mysh'), 0o755);
      fs.writeFileSync(path.join(fx.work, 'tool'), '#!/work/bin/mysh\necho "tool ran: $1"\n', { mode: 0o755 });
      try {
        const r = await run(['/work/tool', 'arg']);
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, 'tool ran: arg\n');
      } finally {
        fs.rmSync(path.join(fx.work, 'bin'), { recursive: true });
        fs.rmSync(path.join(fx.work, 'tool'));
      }
    });

    test('pathcalls: every path syscall gives the native result on the bound folder', async () => {
      // Native on the host folder and sandboxed on the same folder bound at /work: pathcalls prints
      // the folder as $D, so the outputs must be identical. No difference is expected: every result
      // (errno, mode, link target, getcwd, /proc/self/cwd, socket names) must be in guest terms.
      const host = makeTmpDir({ prefix: 'tsbox-pathcalls-' });
      const native = await runNative(helper('pathcalls'), [host]);
      assert.equal(native.code, 0, native.stderr);
      assert.match(native.stdout, /^done$/m);
      const policy = tmpPolicy(`version: 1\nlog: { denials: false }\npaths:\n  - { guest: /work, host: ${JSON.stringify(host)}, access: rw }\n`);
      const r = await runTsbox(['run', `--memory=${memory}`, policy, '--', helper('pathcalls'), '/work']);
      assert.equal(r.code, 0, show(r));
      assert.ok(r.stdout === native.stdout, `differences from the native run:\n${diffLines(native.stdout, r.stdout)}`);
      assert.ok(!r.stdout.includes(host), 'a host path leaked into the sandbox');
      assert.deepEqual(fs.readdirSync(host), []);
    });

    test('pathcalls under a path-free policy is exactly native', async () => {
      const host = makeTmpDir({ prefix: 'tsbox-pathcalls-' });
      const native = await runNative(helper('pathcalls'), [host]);
      assert.equal(native.code, 0, native.stderr);
      const r = await runTsbox(['run', `--memory=${memory}`, tmpPolicy('version: 1\nlog: { denials: false }\n'), '--', helper('pathcalls'), host]);
      assert.equal(r.code, 0, show(r));
      assert.ok(r.stdout === native.stdout, `differences from the native run:\n${diffLines(native.stdout, r.stdout)}`);
    });

    test('pathcalls on a folder in a ro bind: reads work, every write is EROFS', async () => {
      // pathcalls starts with mkdirat, which must fail on a ro bind: the helper then stops early.
      const host = makeTmpDir({ prefix: 'tsbox-pathcalls-' });
      const policy = tmpPolicy(`version: 1\nlog: { denials: false }\npaths:\n  - { guest: /ro, host: ${JSON.stringify(host)}, access: ro }\n`);
      const r = await runTsbox(['run', `--memory=${memory}`, policy, '--', helper('pathcalls'), '/ro']);
      assert.equal(r.stdout.split('\n').slice(0, 5).join('\n'),
        'chdir $D => 0\ngetcwd => "$D" len=ok\nmkdirat AT_FDCWD $D/sub 0755 => EROFS\nmkdirat AT_FDCWD $D/sub 0755 => EROFS\nopenat AT_FDCWD $D/sub/f O_CREAT|O_WRONLY|O_TRUNC 0644 => EROFS', show(r));
      assert.deepEqual(fs.readdirSync(host), []);
    });
  });
}

test('a hidden entry stays out of a listing too big for one small buffer (getdents64 of 32 KiB)', async () => {
  // ls reads a folder 32 KiB at a time: the filter must handle a whole buffer, not only short ones.
  const big = makeTmpDir({ prefix: 'tsbox-big-' });
  for (let i = 0; i < 600; i++) fs.writeFileSync(path.join(big, `entry-with-a-rather-long-name-${String(i).padStart(4, '0')}`), '');
  fs.writeFileSync(path.join(big, 'zz-hidden'), 'secret\n');
  const native = await runNative('ls', ['-A', big]);
  assert.equal(native.stdout.split('\n').filter(Boolean).length, 601);
  const policy = tmpPolicy(`version: 1\npaths:\n  - { guest: ${JSON.stringify(path.join(big, 'zz-hidden'))}, access: none }\n`);
  const r = await runTsbox(['run', policy, '--', 'ls', '-A', big]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, native.stdout.replace(/^zz-hidden\n/m, ''), 'the listing less the hidden entry');
});

test('a hidden entry is cut from listings read with the old getdents syscall too', async () => {
  const dir = makeTmpDir({ prefix: 'tsbox-old-getdents-' });
  for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(dir, `file-${String(i).padStart(2, '0')}`), '');
  fs.writeFileSync(path.join(dir, 'hidden'), 'secret\n');
  const sorted = (s: string): string[] => s.split('\n').filter(Boolean).sort();
  const native = await runNative(helper('listdir'), [dir, 'old']);
  assert.equal(native.code, 0, native.stderr);
  assert.ok(sorted(native.stdout).includes('hidden'));
  const policy = tmpPolicy(`version: 1\npaths:\n  - { guest: ${JSON.stringify(path.join(dir, 'hidden'))}, access: none }\n`);
  for (const call of ['old', '64']) {
    const r = await runTsbox(['run', policy, '--', helper('listdir'), dir, call]);
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(sorted(r.stdout), sorted(native.stdout).filter((n) => n !== 'hidden'), `getdents ${call}`);
  }
});

test('listings are not trapped when no hidden path exists, and are as soon as one does', async () => {
  // A hidden path that is absent at start has no name to cut: getdents costs no stop then.
  const dir = makeTmpDir({ prefix: 'tsbox-absent-hidden-' });
  const policy = tmpPolicy(`version: 1\npaths:\n  - { guest: ${JSON.stringify(path.join(dir, 'secret'))}, access: none }\n`);
  const stops = async (): Promise<string> => {
    const r = await runTsbox(['check', policy]);
    assert.equal(r.code, 0, show(r));
    const line = r.stdout.split('\n').find((l) => l.startsWith('supervisor stops'));
    assert.ok(line, show(r));
    return line;
  };
  assert.doesNotMatch(await stops(), / getdents(64)? /);
  const absent = await runTsbox(['run', policy, '--', 'ls', '-A', dir]);
  assert.equal(absent.code, 0, show(absent));
  assert.equal(absent.stdout, '');
  fs.mkdirSync(path.join(dir, 'secret'));
  fs.writeFileSync(path.join(dir, 'visible'), '');
  assert.match(await stops(), / getdents64 /);
  const present = await runTsbox(['run', policy, '--', 'ls', '-A', dir]);
  assert.equal(present.code, 0, show(present));
  assert.equal(present.stdout, 'visible\n');
});

test('a program under a path-free policy sees the host exactly as natively', async () => {
  const script = 'cd /usr/bin && pwd -P && readlink /proc/self/cwd && ls /usr/share | head -5 && cat /etc/hostname && readlink -f /proc/self/exe';
  const native = await runNative('sh', ['-c', script]);
  const r = await runTsbox(['run', tmpPolicy('version: 1\nlog: { denials: false }\n'), '--', 'sh', '-c', script]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, native.stdout);
});

test('root: a host folder is the guest "/", with host folders bound into it', async () => {
  const rootfs = makeTmpDir({ prefix: 'tsbox-rootfs-' });
  fs.mkdirSync(path.join(rootfs, 'etc'));
  fs.writeFileSync(path.join(rootfs, 'etc', 'hostname'), 'guest-hostname\n');
  fs.mkdirSync(path.join(rootfs, 'home'));
  fs.writeFileSync(path.join(rootfs, 'home', 'x'), 'in the rootfs\n');
  // The programs come from the host: bind what sh, cat, ls and readlink need (on merged-/usr
  // systems /bin, /lib and /lib64 are symlinks into /usr, which resolve inside the guest).
  const binds = ['/usr', '/bin', '/lib', '/lib64'].filter((p) => fs.existsSync(p));
  const usrMerged = binds.filter((p) => p !== '/usr' && fs.lstatSync(p).isSymbolicLink());
  for (const l of usrMerged) fs.symlinkSync(fs.readlinkSync(l), path.join(rootfs, l.slice(1)));
  const policy = tmpPolicy(
    [
      'version: 1',
      'log: { denials: false }',
      `root: ${JSON.stringify(rootfs)}`,
      'paths:',
      ...binds.filter((p) => !usrMerged.includes(p)).map((p) => `  - { guest: ${p}, host: ${p}, access: ro }`),
      '',
    ].join('\n'),
  );
  const r = await runTsbox(['run', policy, '--', '/bin/sh', '-c', 'cat /etc/hostname; cat /home/x; cd /home && pwd -P && cat ../etc/hostname && readlink /proc/self/cwd; echo new > /home/new; ls /home']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, 'guest-hostname\nin the rootfs\n/home\nguest-hostname\n/home\nnew\nx\n');
  assert.equal(fs.readFileSync(path.join(rootfs, 'home', 'new'), 'utf8'), 'new\n');
});
