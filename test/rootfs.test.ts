// Guest root filesystems (issue 3): a Debian bookworm rootfs in a folder, run rootless. Every
// command runs as the unprivileged user, and where PRoot's answer is right it is the oracle:
// `proot -r ROOTFS -b /proc -b /dev -b /sys` on the same rootfs must print the same thing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { debianRootfs, devRootfsPolicy, skipUnlessDebianRootfs, writableRootfsCopy } from './lib/rootfs.js';
import { makeTmpDir, runAs, runTsbox, skipUnlessUnprivileged, tmpPolicy, which } from './lib/run.js';
import { helper } from './lib/helpers.js';
import { writeCorruptPrograms } from './lib/corrupt-programs.js';

const skip = skipUnlessDebianRootfs() || skipUnlessUnprivileged();
const rootfs = skip ? '' : debianRootfs();
const user = 'unprivileged' as const;

function rootPolicy(extra = ''): string {
  const dir = makeTmpDir({ forUser: user });
  return tmpPolicy(`version: 1\nroot: ${rootfs}\n${extra}`, dir);
}

/**
 * A test helper program (compiled on the host) inside the guest: the policy binds the helpers'
 * folder read-only at /h (plus `extraPaths`, YAML list items), `path` is the helper's guest path.
 */
function helperInGuest(name: string, extraPaths = ''): { policy: string; path: string } {
  const host = helper(name);
  return {
    policy: rootPolicy(`paths:\n  - { guest: /h, host: ${path.dirname(host)}, access: ro }\n${extraPaths}`),
    path: `/h/${path.basename(host)}`,
  };
}

async function inGuest(policy: string, script: string, input?: string) {
  return runTsbox(['run', policy, '--', 'sh', '-c', script], { user, input, cwd: '/' });
}

async function inProot(root: string, script: string, binds: string[] = []) {
  const args = ['-r', root, '-b', '/proc', '-b', '/dev', '-b', '/sys', ...binds.flatMap((b) => ['-b', b]), '-w', '/', 'sh', '-c', script];
  return runAs('proot', args, { user, cwd: '/' });
}

describe('a Debian rootfs as the guest "/"', { skip }, () => {
  const policy = skip ? '' : rootPolicy();

  // Commands whose whole output PRoot gets right: tsbox must print exactly the same.
  const sameAsProot: Array<[string, string]> = [
    ['debian_version', 'cat /etc/debian_version'],
    ['ls /', 'ls /'],
    ['cd inside bash', "bash -c 'cd /usr/lib && pwd'"],
    ['readlink /proc/self/exe', 'readlink /proc/self/exe'],
    ['perl -e', "perl -e 'print join(q(,), map { $_ * $_ } 1..5), qq(\\n)'"],
    ['dpkg -l', 'dpkg -l'],
    ['apt-get --version', 'apt-get --version | head -1'],
    ['readlink /proc/self/cwd', 'cd /usr/share && readlink /proc/self/cwd'],
    ['a pipeline of guest programs', "ls /usr/bin | grep -c . | tr 0-9 a-j | rev | od -c | head -1"],
    // What ps, top and pgrep read: the program's name and command line, not the loader's.
    ['process names and command lines',
      'cat /proc/self/comm; tr "\\0" " " < /proc/self/cmdline; echo; sleep 1 & sleep 0.2; ' +
      'tr "\\0" " " < /proc/$!/cmdline; echo; cut -d" " -f2 /proc/$!/stat; grep ^Name: /proc/$!/status; ' +
      '(cd /proc/$! && tr "\\0" "|" < cmdline; echo); wait'],
  ];
  for (const [name, script] of sameAsProot) {
    test(`${name}: same output as proot -r`, async () => {
      const ours = await inGuest(policy, script);
      assert.equal(ours.code, 0, ours.stderr);
      assert.notEqual(ours.stdout.trim(), '', 'no output');
      if (!which('proot')) return; // the oracle is installed by scripts/ensure-tools.sh (CI: always)
      const oracle = await inProot(rootfs, script);
      assert.equal(oracle.code, 0, `proot failed: ${oracle.stderr}`);
      assert.equal(ours.stdout, oracle.stdout);
    });
  }

  test('the guest sees its own files, not the host\'s', async () => {
    const r = await inGuest(policy, 'cat /etc/os-release | grep ^VERSION_CODENAME; ls /usr/local/bin | wc -l; test -e /work/main && echo host-visible || echo host-hidden');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'VERSION_CODENAME=bookworm\n0\nhost-hidden\n');
  });

  test('programs run with the guest\'s own loader and libraries', async () => {
    // /proc/self/maps names host files; the libc mapped must be the rootfs's, never the host's.
    const r = await inGuest(policy, 'grep -m1 "libc.so" /proc/self/maps');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`${rootfs}/usr/lib/x86_64-linux-gnu/libc.so.6`), r.stdout);
  });

  test('ls -l /proc/self/cwd and /proc/self/root show guest paths', async () => {
    const r = await inGuest(policy, 'cd /var/lib && ls -l /proc/self/cwd /proc/self/root');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/proc\/self\/cwd -> \/var\/lib$/m);
    assert.match(r.stdout, /\/proc\/self\/root -> \/$/m);
  });

  test('.. never climbs above the guest root (cwd, symlinks, dirfds)', async () => {
    const r = await inGuest(policy, 'cd / && cd .. && pwd && ls ../../../ | head -3 && readlink -f /../../usr/../../bin && cat /../../../etc/debian_version');
    assert.equal(r.code, 0, r.stderr);
    const [pwd, ...rest] = r.stdout.trim().split('\n');
    assert.equal(pwd, '/');
    assert.deepEqual(rest.slice(0, 3), ['bin', 'boot', 'dev']);
    assert.equal(rest[3], '/usr/bin'); // /bin is a symlink to usr/bin in the guest
    assert.match(rest[4], /^12\./);
  });

  test('/proc, /dev and /sys come from the host by default; a policy entry replaces the default', async () => {
    const byDefault = await inGuest(policy, 'test -c /dev/null && echo dev; test -d /proc/self/fd && echo proc; test -d /sys/kernel && echo sys');
    assert.equal(byDefault.stdout, 'dev\nproc\nsys\n', byDefault.stderr);
    // /sys hidden, /dev the rootfs's own (debootstrap's device nodes were removed: no /dev/null).
    const custom = rootPolicy('paths:\n  - guest: /sys\n    access: none\n  - guest: /dev\n    access: rw\n');
    const r = await inGuest(custom, 'ls /sys 2>&1 | head -1; test -c /dev/null && echo host-dev || echo own-dev; test -d /proc/self && echo proc');
    assert.equal(r.stdout, "ls: cannot access '/sys': No such file or directory\nown-dev\nproc\n", r.stderr);
  });

  test('absolute symlinks resolve against the guest root', async () => {
    // /lib64/ld-linux-x86-64.so.2 is an absolute symlink in the rootfs.
    const r = await inGuest(policy, 'readlink /lib64/ld-linux-x86-64.so.2 && test -f /lib64/ld-linux-x86-64.so.2 && echo resolves');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\nresolves\n');
  });

  test('#! scripts run with the guest interpreter, argv[0] kept, /usr/bin/env too', async () => {
    const project = makeTmpDir({ forUser: user });
    fs.writeFileSync(path.join(project, 'hello.pl'), '#!/usr/bin/perl -w\nprint "perl $0 @ARGV\\n";\n', { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'env.sh'), '#!/usr/bin/env bash\necho "bash $BASH_VERSION $0 $1"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'argv0.sh'), '#!/bin/bash\necho \'echo $0\' | exec -a custom-name bash\n', { mode: 0o755 });
    for (const f of fs.readdirSync(project)) fs.chownSync(path.join(project, f), 65534, 65534);
    const p = rootPolicy(`paths:\n  - guest: /work\n    host: ${project}\n`);
    const r = await inGuest(p, 'cd /work && ./hello.pl a b && ./env.sh x && ./argv0.sh');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'perl ./hello.pl a b');
    assert.match(lines[1], /^bash 5\.2\.\S+ \.\/env\.sh x$/);
    // argv[0] survives the guest loader (ld.so --argv0): bash reading a script from stdin
    // reports its own argv[0] as $0.
    assert.equal(lines[2], 'custom-name');
  });

  test('a script\'s process is named after the script; the run folder is private and gone afterwards', async () => {
    const tmp = makeTmpDir({ forUser: user });
    const project = makeTmpDir({ forUser: user });
    fs.writeFileSync(path.join(project, 'named.sh'), '#!/bin/sh\ncat /proc/$$/comm; tr "\\0" " " < /proc/$$/cmdline; echo\nexec 3</proc/self/cmdline; readlink /proc/self/fd/3\n', { mode: 0o755 });
    fs.chownSync(path.join(project, 'named.sh'), 65534, 65534);
    const p = rootPolicy(`paths:\n  - guest: /work\n    host: ${project}\n`);
    const r = await runTsbox(['run', p, '--', '/work/named.sh', 'one', 'two'], { user, cwd: '/', env: { ...process.env, TMPDIR: tmp } });
    assert.equal(r.code, 0, r.stderr);
    const [comm, cmdline, fdLink] = r.stdout.split('\n');
    assert.equal(comm, 'named.sh');
    assert.equal(cmdline, '/bin/sh /work/named.sh one two ');
    assert.match(fdLink!, /^\/proc\/\d+\/cmdline$/, 'an open cmdline shows its /proc path, not tsbox\'s folder');
    assert.deepEqual(fs.readdirSync(tmp), [], 'the run folder is removed when the run ends');
  });

  test('a run folder removed mid-run (a /tmp cleaner) costs the names nothing and breaks no read', async () => {
    const tmp = makeTmpDir({ forUser: user });
    const script = 'cat /proc/self/comm; sleep 1.5; cat /proc/self/comm; tr "\\0" " " < /proc/self/cmdline >/dev/null && echo readable';
    const running = runTsbox(['run', policy, '--', 'sh', '-c', script], { user, cwd: '/', env: { ...process.env, TMPDIR: tmp } });
    await new Promise((r) => setTimeout(r, 700));
    for (const entry of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, entry), { recursive: true, force: true });
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'cat\ncat\nreadable\n');
  });

  test('without a usable TMPDIR the run still works, with a warning, under the loader\'s name', async () => {
    const r = await runTsbox(['run', policy, '--', 'cat', '/proc/self/comm'], { user, cwd: '/', env: { ...process.env, TMPDIR: '/nonexistent' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ld-linux-x86-64\n');
    assert.match(r.stderr, /cannot create the run folder \(set TMPDIR to a writable folder\)/);
  });

  test('a long argv (14 KB) reaches a guest program through its loader', async () => {
    // The loader invocation (ld.so --argv0 …) is written into the caller's stack: larger than
    // any fixed transfer buffer, as with a long compiler command line.
    const r = await inGuest(policy, '/bin/echo $(seq 1 3000) | wc -c; /bin/echo $(seq 1 3000) | tr " " "\\n" | tail -1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '13893\n3000\n');
  });

  test('execve of /proc/self/exe re-runs the guest program', async () => {
    const r = await inGuest(policy, 'cp /proc/self/exe /tmp/x 2>/dev/null; perl -e \'if (@ARGV) { print "again @ARGV\\n" } else { exec "/proc/self/exe", "-e", "print qq(re-exec ok\\n)" }\'');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 're-exec ok\n');
  });

  test('exec from a second thread: /proc/self/exe names the new guest program', async () => {
    // The kernel hands the exec'ing thread the leader's pid; tsbox must carry what that thread's
    // exec planned (the guest program behind the loader) over to the leader.
    const threads = helperInGuest('threads');
    const r = await runTsbox(['run', threads.policy, '--', threads.path, '-x', '/usr/bin/perl', '-e', 'print readlink("/proc/self/exe"), " $0\\n"'], { user, cwd: '/' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '/usr/bin/perl -e\n');
  });

  test('a host project bound at /work: list, edit, run scripts', async () => {
    const project = makeTmpDir({ forUser: user });
    fs.writeFileSync(path.join(project, 'build.sh'), '#!/bin/bash\necho "built in $(pwd) by $(id -un)" > out.txt\n', { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'notes.txt'), 'one\n');
    for (const f of fs.readdirSync(project)) fs.chownSync(path.join(project, f), 65534, 65534);
    const p = rootPolicy(`identity: { uid: 0, gid: 0 }\nprocess: { cwd: /work }\npaths:\n  - guest: /work\n    host: ${project}\n`);
    const r = await runTsbox(['run', p, '--', 'sh', '-c', 'ls && echo two >> notes.txt && sed -i s/one/ONE/ notes.txt && ./build.sh && cat out.txt'], { user });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'build.sh\nnotes.txt\nbuilt in /work by root\n');
    assert.equal(fs.readFileSync(path.join(project, 'notes.txt'), 'utf8'), 'ONE\ntwo\n');
    assert.equal(fs.readFileSync(path.join(project, 'out.txt'), 'utf8'), 'built in /work by root\n');
  });

  test('a guest whose loader is too old gets a clear error, not a crash', async () => {
    // A fake "guest program" whose PT_INTERP names a loader without --argv0: copy a real ELF and
    // give it a loader that is a plain file lacking the option.
    const root = writableRootfsCopy(user);
    const fakeLoader = path.join(root, 'lib', 'ld-old.so');
    fs.writeFileSync(fakeLoader, '\x7fELF old loader without the option', { mode: 0o755 });
    const prog = fs.readFileSync(path.join(root, 'usr', 'bin', 'true'));
    const interp = '/lib64/ld-linux-x86-64.so.2';
    const at = prog.indexOf(interp);
    assert.ok(at > 0);
    Buffer.from('/lib/ld-old.so\0').copy(prog, at);
    fs.writeFileSync(path.join(root, 'usr', 'bin', 'oldtrue'), prog, { mode: 0o755 });
    fs.chownSync(path.join(root, 'usr', 'bin', 'oldtrue'), 65534, 65534);
    fs.chownSync(fakeLoader, 65534, 65534);
    const p = tmpPolicy(`version: 1\nroot: ${root}\n`, makeTmpDir({ forUser: user }));
    const r = await runTsbox(['run', p, '--', 'sh', '-c', 'oldtrue; echo "status $?"'], { user, cwd: '/' });
    assert.match(r.stdout, /status 126/); // ENOEXEC from execve: the shell reports "cannot execute"
    assert.match(r.stderr, /has no --argv0 option \(glibc older than 2\.33\)/);
  });

  test('an empty or tiny executable file is ENOEXEC, which the shell then runs as a script, as natively', async () => {
    const dir = makeTmpDir({ forUser: user });
    fs.writeFileSync(path.join(dir, 'empty'), '', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'two'), 'ab', { mode: 0o755 });
    for (const f of fs.readdirSync(dir)) fs.chownSync(path.join(dir, f), 65534, 65534);
    const script = 'PATH=/usr/bin:/bin; /w/empty; echo "empty $?"; /w/two 2>&1; echo "two $?"';
    const native = await runAs('sh', ['-c', script.replaceAll('/w/', `${dir}/`)], { user, cwd: '/' });
    const r = await runTsbox(['run', rootPolicy(`paths:\n  - { guest: /w, host: ${dir} }\n`), '--', 'sh', '-c', script], { user, cwd: '/' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, native.stdout.replaceAll(`${dir}/`, '/w/'), r.stderr);
    assert.equal(r.stdout, 'empty 0\n/w/two: 1: ab: not found\ntwo 127\n');
  });

  test('fexecve of a memfd holding a guest program: run with the guest loader', async () => {
    // No path names the program: the loader gets it through /proc/PID/fd/N.
    const spawn = helperInGuest('spawn');
    const r = await runTsbox(['run', spawn.policy, '--', spawn.path, 'memfd', '/usr/bin/perl', '-e', 'print "perl $^V from a memfd\\n"'], { user, cwd: '/' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^perl v5\.\d+\.\d+ from a memfd\nspawn memfd exit 0\n$/);
  });

  test('exec of 80 corrupted programs under the guest root: tsbox never fails itself', async () => {
    // Each planned by tsbox (the guest's loader is run explicitly): the headers are parsed here.
    const dir = makeTmpDir({ forUser: user });
    const files = writeCorruptPrograms(dir, 80, 20261205, { forUser: true });
    const fe = helperInGuest('forkexec', `  - { guest: /w, host: ${dir} }\n`);
    const p = fe.policy;
    const loop = `for f in ${files.map((f) => f.name).join(' ')}; do echo "$f $(timeout 5 ${fe.path} 1 /w/$f 2>/dev/null)"; done`;
    const r = await runTsbox(['run', p, '--', 'sh', '-c', loop], { user, cwd: '/', timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, files.length, r.stdout);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^c${i} forkexec 1 (ok|failed at 0 (exit|signal) \\d+)$`), line));
  });

  test('a guest program whose loader is missing or a FIFO fails as the kernel fails it, at once', async () => {
    // A FIFO in the loader's place must not hold the supervisor (opening it to read would wait
    // for a writer); a missing loader is ENOENT ("not found"), not a complaint about glibc.
    const dir = makeTmpDir({ forUser: user });
    const prog = fs.readFileSync('/bin/true'); // any dynamic program: only its PT_INTERP matters
    const interp = '/lib64/ld-linux-x86-64.so.2';
    const at = prog.indexOf(interp);
    assert.ok(at > 0);
    for (const [name, loader] of [['viafifo', '/w/ld-fifo'], ['viamissing', '/w/ld-missing']]) {
      const patched = Buffer.from(prog);
      Buffer.from(loader.padEnd(interp.length, '\0')).copy(patched, at);
      fs.writeFileSync(path.join(dir, name), patched, { mode: 0o755 });
    }
    assert.equal(spawnSync('mkfifo', ['-m', '755', path.join(dir, 'ld-fifo')]).status, 0);
    for (const f of fs.readdirSync(dir)) fs.chownSync(path.join(dir, f), 65534, 65534);
    const p = rootPolicy(`paths:\n  - { guest: /w, host: ${dir} }\n`);
    const r = await runTsbox(['run', p, '--', 'sh', '-c', '/w/viafifo; echo "fifo $?"; /w/viamissing; echo "missing $?"'], { user, cwd: '/', timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'fifo 126\nmissing 127\n', r.stderr);
    assert.match(r.stderr, /viafifo: Permission denied/);
    assert.match(r.stderr, /viamissing: not found/);
    assert.doesNotMatch(r.stderr, /argv0/);
  });
});

describe('fake root inside a rootfs', { skip }, () => {
  test('apt-get install hello as an unprivileged user, then run it (examples/dev-rootfs.yaml)', async () => {
    const root = writableRootfsCopy(user);
    const project = makeTmpDir({ forUser: user });
    const policy = devRootfsPolicy(root, project, user);
    const r = await runTsbox(['run', policy, '--', 'sh', '-c',
      'apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq hello >/dev/null 2>&1; echo "apt $?"; hello; id -un; dpkg -s hello | grep ^Status'],
    { user, timeoutMs: 600_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'apt 0\nHello, world!\nroot\nStatus: install ok installed\n');
    // Installed into the rootfs folder, owned by the unprivileged host user.
    const st = fs.statSync(path.join(root, 'usr', 'bin', 'hello'));
    assert.equal(st.uid, 65534);
  });

  test('chroot under fake root: into the guest\'s own "/" it succeeds and changes nothing, elsewhere EPERM, as under proot -0', async () => {
    const script = 'chroot / /bin/sh -c "echo inside; ls -d /usr"; echo "chroot / $?"; cd /usr && chroot .. /bin/true; echo "chroot .. $?"; ' +
      'chroot /usr /bin/true 2>&1; echo "chroot /usr $?"';
    const p = rootPolicy('identity: { uid: 0, gid: 0 }\n');
    const r = await runTsbox(['run', p, '--', 'sh', '-c', script], { user, cwd: '/' });
    assert.equal(r.code, 0, r.stderr);
    const expected = "inside\n/usr\nchroot / 0\nchroot .. 0\nchroot: cannot change root directory to '/usr': Operation not permitted\nchroot /usr 125\n";
    assert.equal(r.stdout, expected, r.stderr);
    if (which('proot')) {
      const oracle = await runAs('proot', ['-0', '-r', rootfs, '-b', '/proc', '-b', '/dev', '-w', '/', 'sh', '-c', script], { user, cwd: '/' });
      assert.equal(r.stdout, oracle.stdout, 'PRoot -0 answers the same');
    }
  });

  test('chown succeeds inside, the host file keeps its real owner', async () => {
    const root = writableRootfsCopy(user);
    const p = tmpPolicy(`version: 1\nroot: ${root}\nidentity: { uid: 0, gid: 0 }\n`, makeTmpDir({ forUser: user }));
    const r = await runTsbox(['run', p, '--', 'sh', '-c', 'touch /tmp/f && chown 0:0 /tmp/f && echo chown ok && id -u'], { user, cwd: '/' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'chown ok\n0\n');
    assert.equal(fs.statSync(path.join(root, 'tmp', 'f')).uid, 65534);
  });
});
