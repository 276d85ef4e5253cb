// Syscall rules end to end: denials in the kernel (errno or kill, with argument conditions),
// allow-list mode, remaps answered by the supervisor (return value, errno conditioned on a path in
// guest terms), `identity` (fake root) and `network: none`. Each effect is checked against the
// same program run natively, so a rule that stopped working makes the test fail.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { helper } from './lib/helpers.js';
import { isRoot, makeTmpDir, runNative, runTsbox, tmpPolicy, UNPRIVILEGED_GID, UNPRIVILEGED_UID, type RunOptions, type RunResult } from './lib/run.js';
import { show, SOCKETCHECK_IP_REFUSED, tcpListener } from './lib/check.js';

async function sandbox(policyText: string, cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runTsbox(['run', tmpPolicy(policyText), '--', ...cmd], opts);
}

const HEAD = 'version: 1\nlog: { denials: false }\n';

describe('deny rules (seccomp BPF in the kernel)', () => {
  test('deny with an errno: mkdir fails with "Permission denied", other calls work', async () => {
    const dir = makeTmpDir();
    const native = await runNative('mkdir', [path.join(dir, 'native')]);
    assert.equal(native.code, 0, 'mkdir works natively');
    const policy = `${HEAD}syscalls:\n  deny:\n    - syscall: [mkdir, mkdirat]\n      errno: EACCES\n`;
    const r = await sandbox(policy, ['sh', '-c', `mkdir ${dir}/d; echo "mkdir=$?"; touch ${dir}/f; echo "touch=$?"`]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'mkdir=1\ntouch=0\n');
    assert.match(r.stderr, new RegExp(`mkdir: cannot create directory ‘?'?${dir}/d’?'?: Permission denied`));
    assert.ok(!fs.existsSync(path.join(dir, 'd')));
    assert.ok(fs.existsSync(path.join(dir, 'f')));
  });

  test('deny with action kill: the process dies of SIGSYS, tsbox exits 159', async () => {
    const dir = makeTmpDir();
    const policy = `${HEAD}syscalls:\n  deny:\n    - syscall: [mkdir, mkdirat]\n      action: kill\n`;
    const r = await sandbox(policy, ['mkdir', path.join(dir, 'd')]);
    assert.equal(r.code, 159, show(r));
    assert.ok(!fs.existsSync(path.join(dir, 'd')));
    // A parent shell sees its child killed by SIGSYS (31) and carries on.
    const sh = await sandbox(policy, ['sh', '-c', `mkdir ${dir}/d; echo "child=$?"`]);
    assert.equal(sh.code, 0, show(sh));
    assert.equal(sh.stdout, 'child=159\n');
  });

  test('deny with an argument condition: socket(AF_INET) refused, AF_UNIX allowed', async () => {
    const native = await runNative(helper('socketcheck'), []);
    assert.match(native.stdout, /^socket AF_INET SOCK_STREAM => fd$/m, 'IP sockets work natively');
    const policy = `${HEAD}syscalls:\n  deny:\n    - syscall: socket\n      args: [{ index: 0, op: ne, value: AF_UNIX }]\n      errno: EACCES\n`;
    const r = await sandbox(policy, [helper('socketcheck')]);
    assert.equal(r.code, 0, show(r));
    assert.equal(
      r.stdout,
      [
        ...SOCKETCHECK_IP_REFUSED,
        'done',
        '',
      ].join('\n'),
    );
  });

  test('deny with an eq condition on a scalar: kill(…, SIGUSR1) refused, SIGUSR2 delivered', async () => {
    const policy = `${HEAD}syscalls:\n  deny:\n    - syscall: kill\n      args: [{ index: 1, op: eq, value: 10 }]\n      errno: EPERM\n`;
    const script = 'trap "echo got-usr2" USR2; kill -USR1 $$ 2>/dev/null; echo "usr1=$?"; kill -USR2 $$; echo "usr2=$?"';
    const r = await sandbox(policy, ['sh', '-c', script]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'usr1=1\ngot-usr2\nusr2=0\n');
  });

  test('deny with a masked_eq condition: openat with O_CREAT refused, plain reads work', async () => {
    const dir = makeTmpDir();
    fs.writeFileSync(path.join(dir, 'existing'), 'old\n');
    const policy = [
      HEAD.trim(),
      'syscalls:',
      '  deny:',
      '    - syscall: openat',
      '      args: [{ index: 2, op: masked_eq, mask: O_CREAT, value: O_CREAT }]',
      '      errno: EACCES',
      '    - syscall: open',
      '      args: [{ index: 1, op: masked_eq, mask: O_CREAT, value: O_CREAT }]',
      '      errno: EACCES',
      '    - syscall: creat',
      '      errno: EACCES',
      '',
    ].join('\n');
    // No shell redirections here: `>` opens with O_CREAT too.
    const r = await sandbox(policy, ['sh', '-c', `cat ${dir}/existing; touch ${dir}/new; echo "touch=$?"; cat /etc/hostname | wc -l`]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'old\ntouch=1\n1\n');
    assert.match(r.stderr, /touch: cannot touch .*new.*: Permission denied/);
    assert.ok(!fs.existsSync(path.join(dir, 'new')));
  });

  test('default: deny is an allow-list: a call not on it fails with the errno', async () => {
    // Enough for the launch stub (sh: chdir + exec) and a small glibc program.
    const allow = [
      'execve', 'brk', 'arch_prctl', 'mmap', 'mprotect', 'munmap', 'openat', 'read', 'close', 'newfstatat',
      'pread64', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'getrandom', 'write', 'exit_group',
      'access', 'chdir', 'fstat', 'getpid', 'kill', 'rt_sigaction', 'rt_sigprocmask', 'getppid', 'getuid',
      'geteuid', 'fcntl', 'dup2', 'wait4', 'rt_sigreturn', 'exit', 'futex', 'ioctl', 'lseek', 'uname', 'stat', 'readlink',
    ];
    const make = (list: string[]) => `${HEAD}syscalls:\n  default: deny\n  errno: ENOSYS\n  allow: [${list.join(', ')}]\n`;
    const withGetcwd = await sandbox(make([...allow, 'getcwd']), [helper('getcwd'), '/usr']);
    assert.equal(withGetcwd.code, 0, show(withGetcwd));
    assert.match(withGetcwd.stdout, /^getcwd => "\/usr" len=5$/m);
    const without = await sandbox(make(allow), [helper('getcwd'), '/usr']);
    assert.equal(without.code, 0, show(without));
    assert.equal(without.stdout, 'chdir /usr => 0\ngetcwd => ENOSYS\nlibc getcwd => ENOSYS\nreadlink /proc/self/cwd => "/usr"\n');
  });
});

describe('remaps (answered by the supervisor)', () => {
  test('remap a return value: getuid/geteuid → 1234 (id -u)', async () => {
    const native = await runNative('id', ['-u']);
    assert.notEqual(native.stdout, '1234\n');
    const policy = `${HEAD}syscalls:\n  remap:\n    - syscall: [getuid, geteuid]\n      return: 1234\n`;
    const r = await sandbox(policy, ['sh', '-c', 'id -u; id -ru; id -g']);
    assert.equal(r.code, 0, show(r));
    const gid = (await runNative('id', ['-g'])).stdout;
    assert.equal(r.stdout, `1234\n1234\n${gid}`, 'only the remapped calls change');
  });

  test('remap an errno conditioned on a path: unlink of /work/keep-me is EACCES, other unlinks work', async () => {
    const work = makeTmpDir();
    fs.mkdirSync(path.join(work, 'sub'));
    for (const f of ['keep-me', 'other', 'third', 'sub/keep-me']) fs.writeFileSync(path.join(work, f), f);
    const policy = [
      HEAD.trim(),
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
      'syscalls:',
      '  remap:',
      '    - syscall: unlink',
      '      args: [{ index: 0, op: eq, value: "/work/keep-me" }]',
      '      errno: EACCES',
      '    - syscall: unlinkat',
      '      args: [{ index: 1, op: eq, value: "/work/keep-me" }]',
      '      errno: EACCES',
      '',
    ].join('\n');
    // unlink(1) calls unlink(2); rm calls unlinkat(2). Every spelling of the guest path counts.
    const cmds = ['unlink /work/keep-me', 'rm /work/keep-me', 'rm -f /work/./sub/../keep-me', 'cd /work && rm keep-me', 'rm /work/other', 'unlink /work/third', 'rm /work/sub/keep-me'];
    const r = await sandbox(policy, ['sh', '-c', cmds.map((c) => `(${c}) 2>&1; echo "status=$?"`).join('; ')]);
    assert.equal(r.code, 0, show(r));
    assert.equal(
      r.stdout,
      [
        "unlink: cannot unlink '/work/keep-me': Permission denied",
        'status=1',
        "rm: cannot remove '/work/keep-me': Permission denied",
        'status=1',
        "rm: cannot remove '/work/./sub/../keep-me': Permission denied",
        'status=1',
        "rm: cannot remove 'keep-me': Permission denied",
        'status=1',
        'status=0',
        'status=0',
        'status=0',
        '',
      ].join('\n'),
    );
    assert.deepEqual(fs.readdirSync(work).sort(), ['keep-me', 'sub']);
    assert.deepEqual(fs.readdirSync(path.join(work, 'sub')), []);
  });

  test('a path-conditioned remap also holds for dirfd-relative calls (rm -r)', async () => {
    const work = makeTmpDir();
    fs.mkdirSync(path.join(work, 'd'));
    for (const f of ['d/keep-me', 'd/other']) fs.writeFileSync(path.join(work, f), f);
    const policy = [
      HEAD.trim(),
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
      'syscalls:',
      '  remap:',
      '    - syscall: unlinkat',
      '      args: [{ index: 1, op: eq, value: "/work/d/keep-me" }]',
      '      errno: EACCES',
      '',
    ].join('\n');
    const r = await sandbox(policy, ['sh', '-c', 'rm -rf /work/d; echo "status=$?"']);
    assert.equal(r.stdout, 'status=1\n', show(r));
    assert.deepEqual(fs.readdirSync(path.join(work, 'd')), ['keep-me']);
  });

  test('remapped chown "succeeds" without changing the owner', async () => {
    const dir = makeTmpDir();
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'x');
    const before = fs.statSync(f);
    const policy = `${HEAD}syscalls:\n  remap:\n    - syscall: [chown, fchown, lchown, fchownat]\n      return: 0\n`;
    const r = await sandbox(policy, ['chown', '12345:23456', f]);
    assert.equal(r.code, 0, show(r));
    const st = fs.statSync(f);
    assert.equal(st.uid, before.uid);
    assert.equal(st.gid, before.gid);
  });
});

describe('identity', () => {
  test('identity {uid: 0, gid: 0}: id says root, chown 0:0 exits 0 and the real owner is unchanged', async () => {
    const dir = makeTmpDir();
    const f = path.join(dir, 'owned');
    fs.writeFileSync(f, 'x');
    // Owned by someone else than root: as root a real chown would change it, so an unchanged
    // owner proves the call was emulated.
    if (isRoot()) fs.chownSync(f, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
    const before = fs.statSync(f);
    const r = await sandbox(`${HEAD}identity: { uid: 0, gid: 0 }\n`, ['sh', '-c', `id; chown 0:0 ${f}; echo "chown=$?"; chown root ${f} && chgrp root ${f} && echo ok; whoami`]);
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^uid=0\(root\) gid=0\(root\)/);
    assert.deepEqual(lines.slice(1), ['chown=0', 'ok', 'root', '']);
    const st = fs.statSync(f);
    assert.equal(st.uid, before.uid, 'chown really changed the owner');
    assert.equal(st.gid, before.gid);
  });

  test('identity with other ids: every id query agrees', async () => {
    const r = await sandbox(`${HEAD}identity: { uid: 4242, gid: 4343 }\n`, [
      'sh',
      '-c',
      'id -u; id -g; id -ru; id -rg; python3 -c "import os; print(os.getresuid(), os.getresgid())" 2>/dev/null || echo no-python',
    ]);
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 4), ['4242', '4343', '4242', '4343']);
    if (lines[4] !== 'no-python') assert.equal(lines[4], '(4242, 4242, 4242) (4343, 4343, 4343)');
  });

  test('chroot: refused in the kernel for everyone (a real root too); under identity uid 0 into "/" a no-op success', async () => {
    // Run as whoever runs the suite: in CI that is root, who could chroot for real natively.
    const dir = makeTmpDir();
    const native = await runNative('chroot', [dir, '/bin/true']);
    if (isRoot()) assert.match(native.stderr, /No such file|failed to run/, 'natively root chroots (then finds no /bin/true there)');
    const r = await sandbox(HEAD, ['sh', '-c', `chroot ${dir} /bin/true 2>&1; echo "chroot $?"; chroot / /bin/true 2>&1; echo "chroot / $?"`]);
    assert.equal(r.stdout, `chroot: cannot change root directory to '${dir}': Operation not permitted\nchroot 125\n` +
      "chroot: cannot change root directory to '/': Operation not permitted\nchroot / 125\n", show(r));
    const f = await sandbox(`${HEAD}identity: { uid: 0, gid: 0 }\n`, ['sh', '-c', `chroot / /bin/true; echo "chroot / $?"; chroot ${dir} /bin/true 2>&1; echo "chroot $?"`]);
    assert.equal(f.stdout, `chroot / 0\nchroot: cannot change root directory to '${dir}': Operation not permitted\nchroot 125\n`, show(f));
  });

});

describe('network: none', () => {
  let listener: Awaited<ReturnType<typeof tcpListener>>;
  let port = 0;
  before(async () => {
    listener = await tcpListener();
    port = listener.port;
  });
  after(() => listener.close());

  test('a TCP connect to a local listener works natively and fails in the sandbox; unix sockets still work', async () => {
    const udir = makeTmpDir();
    const native = await runNative(helper('socketcheck'), [String(port), udir]);
    assert.match(native.stdout, /^connect 127\.0\.0\.1:PORT => 0$/m, native.stdout);
    const r = await sandbox(`${HEAD}network: none\n`, [helper('socketcheck'), String(port), udir]);
    assert.equal(r.code, 0, show(r));
    assert.equal(
      r.stdout,
      [
        ...SOCKETCHECK_IP_REFUSED,
        'connect 127.0.0.1:PORT => EACCES (socket)',
        'bind unix DIR/s => 0',
        'connect unix DIR/s => 0',
        'unix stream => "y"',
        'unlink DIR/s => 0',
        'done',
        '',
      ].join('\n'),
    );
  });

  test('network: host leaves TCP alone', async () => {
    const r = await sandbox(`${HEAD}network: host\n`, [helper('socketcheck'), String(port)]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^connect 127\.0\.0\.1:PORT => 0$/m);
  });

  test('network: none also refuses a shell\'s /dev/tcp and real clients', async () => {
    const native = await runNative('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`]);
    assert.equal(native.stdout, 'connected\n');
    const r = await sandbox(`${HEAD}network: none\n`, ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected || echo refused`]);
    assert.equal(r.stdout, 'refused\n', show(r));
  });
});
