// Process trees under `tsbox run`: pipelines with many processes, fork+exec, threads (with
// virtualized paths), SIGPIPE, job control inside the sandbox, background processes killed when
// the command exits, and stdin passed through. Every result is compared with the same program
// run natively.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { helper } from './lib/helpers.js';
import { makeTmpDir, runNative, runTsbox, tmpPolicy, tsboxBin, type RunOptions, type RunResult } from './lib/run.js';
import { show, processesMatching, survivors } from './lib/check.js';

async function sandbox(policyText: string, cmd: string[], opts: RunOptions & { tsboxArgs?: string[] } = {}): Promise<RunResult> {
  return runTsbox(['run', ...(opts.tsboxArgs ?? []), tmpPolicy(policyText), '--', ...cmd], opts);
}

let uniq = 0;
function uniqueSleep(seconds: number): string {
  return `${seconds}.${process.pid}${++uniq}`;
}

const PLAIN = 'version: 1\nlog: { denials: false }\n';

/** Runs `sh -c script` natively and sandboxed under `policy`; both must succeed with the same stdout. */
async function sameAsNative(script: string, policy = PLAIN): Promise<RunResult> {
  const native = await runNative('sh', ['-c', script]);
  assert.equal(native.code, 0, `native: ${show(native)}`);
  const r = await sandbox(policy, ['sh', '-c', script]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, native.stdout);
  return r;
}

describe('pipelines and process trees', () => {
  test('seq | sort | uniq | wc over 20000 lines', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'seq 1 20000 | sort -n | uniq | wc -l']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), '20000');
  });

  test('a long pipeline and many short-lived processes give the native result', async () => {
    await sameAsNative('seq 1 20000 | sort -rn | uniq | awk \'{s+=$1} END {print s}\' | cat | cat | cat');
    // ~300 processes: a loop of small pipelines.
    await sameAsNative('for i in $(seq 1 100); do echo "$i" | cat | tr 0-9 a-j; done | sort | md5sum');
  });

  test('parallel children (xargs -P 4) and command substitution', async () => {
    await sameAsNative('seq 1 300 | xargs -P 4 -n 10 sh -c \'for x; do echo $((x * 3)); done\' sh | sort -n | md5sum; echo "$(echo $(echo nested))"');
  });

  test('exit statuses inside a pipeline and of waited children are exact', async () => {
    await sameAsNative('sh -c "exit 7" & p=$!; wait $p; echo "bg=$?"; false | true; echo "pipe=$?"; (exit 9); echo "sub=$?"');
  });

  test('fork + exec helper: 300 children all exit 0', async () => {
    const r = await sandbox(PLAIN, [helper('forkexec'), '300', '/bin/true']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'forkexec 300 ok\n');
    const failing = await sandbox(PLAIN, [helper('forkexec'), '3', '/bin/false']);
    assert.equal(failing.stdout, 'forkexec 3 failed at 0 exit 1\n', show(failing));
    assert.equal(failing.code, 1);
  });

  test('children made by vfork, posix_spawn (CLONE_VFORK), raw clone and fexecve of a memfd are followed: binds apply in them', async () => {
    const host = makeTmpDir();
    fs.writeFileSync(path.join(host, 'file'), 'inside the bind\n');
    const policy = `${PLAIN}paths:\n  - { guest: /work, host: ${JSON.stringify(host)}, access: ro }\n`;
    for (const mode of ['vfork', 'posix_spawn', 'clone', 'memfd']) {
      // Nested: the grandchild is started the same way, so a missed child would be a missed tree.
      const r = await sandbox(policy, [helper('spawn'), mode, helper('spawn'), mode, '/bin/cat', '/work/file']);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, `inside the bind\nspawn ${mode} exit 0\nspawn ${mode} exit 0\n`, `${mode}: ${show(r)}`);
    }
  });

  test('threads helper without paths: same as native', async () => {
    const args = ['-n', '300', '/', '/etc/passwd', '.', '/nonexistent'];
    const native = await runNative(helper('threads'), args, { cwd: '/usr' });
    assert.equal(native.code, 0, native.stdout);
    const r = await sandbox(PLAIN, [helper('threads'), ...args], { cwd: '/usr' });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, native.stdout);
  });

  test('exec from a second thread: the program runs in the leader\'s pid, binds apply, tsbox ends with it', async () => {
    const host = makeTmpDir();
    fs.writeFileSync(path.join(host, 'file'), 'read after a thread exec\n');
    const policy = `${PLAIN}paths:\n  - { guest: /work, host: ${JSON.stringify(host)}, access: ro }\n`;
    // The shell's pid is the helper's (exec), and stays the program's after the thread's exec.
    const r = await sandbox(policy, ['sh', '-c', `echo $$; exec ${helper('threads')} -x /bin/sh -c 'echo $$; cat /work/file'`], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, show(r));
    const [before, after, ...rest] = r.stdout.split('\n');
    assert.equal(after, before, show(r));
    assert.deepEqual(rest, ['read after a thread exec', ''], show(r));
  });

  test('threads helper under a policy with binds: same as native modulo the bind', async () => {
    const host = makeTmpDir();
    fs.writeFileSync(path.join(host, 'file'), 'x\n');
    fs.mkdirSync(path.join(host, 'dir'));
    fs.symlinkSync('file', path.join(host, 'rel-link')); // relative: resolves the same on both sides
    fs.mkdirSync(path.join(host, 'hidden'));
    const policy = [
      PLAIN.trim(),
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(host)}, access: rw }`,
      '  - { guest: /work/hidden, access: none }',
      '',
    ].join('\n');
    const names = ['', '/file', '/dir', '/rel-link', '/hidden', '/missing'];
    const native = await runNative(helper('threads'), ['-n', '200', ...names.map((n) => host + n), '.', '/etc/passwd'], { cwd: host });
    assert.equal(native.code, 0, native.stdout);
    const r = await sandbox(policy, ['sh', '-c', `cd /work && exec ${helper('threads')} -n 200 ${names.map((n) => '/work' + n).join(' ')} . /etc/passwd`]);
    assert.equal(r.code, 0, show(r));
    // The one expected difference: /work/hidden exists on the host but access: none hides it.
    const expected = native.stdout
      .split(host)
      .join('/work')
      .replace(/^(t\d (open|stat) \/work\/hidden) => .*$/gm, '$1 => ENOENT');
    assert.equal(r.stdout, expected);
    assert.match(r.stdout, /^t3 getcwd => "\/work"$/m);
    assert.match(r.stdout, /^ok$/m);
  });
});

describe('signals, SIGPIPE and job control inside the sandbox', () => {
  test('yes | head -1 ends at once (SIGPIPE is default in the sandbox)', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'yes | head -1; echo done'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'y\ndone\n');
    assert.ok(r.durationMs < 10_000, `${r.durationMs} ms`);
  });

  test('a sandboxed writer whose reader outside goes away dies of SIGPIPE: 141', async () => {
    const policy = tmpPolicy(PLAIN);
    const r = await runNative('bash', ['-c', `"${tsboxBin()}" run "${policy}" -- yes | head -1; echo "tsbox=\${PIPESTATUS[0]}"`], {
      timeoutMs: 30_000,
    });
    assert.equal(r.stdout, 'y\ntsbox=141\n', show(r));
  });

  test('a program sees SIGPIPE / EPIPE exactly as natively', async () => {
    // yes is killed by SIGPIPE (141); with SIGPIPE ignored, its write() fails with EPIPE (exit 1).
    const script = 'yes | head -1 >/dev/null; echo "default=${PIPESTATUS[0]}"; trap "" PIPE; yes 2>/dev/null | head -1 >/dev/null; echo "ignored=${PIPESTATUS[0]}"';
    const native = await runNative('bash', ['-c', script]);
    assert.equal(native.stdout, 'default=141\nignored=1\n');
    const r = await sandbox(PLAIN, ['bash', '-c', script], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, native.stdout);
  });

  test('stopping and continuing a child, traps, kill: as natively', async () => {
    await sameAsNative(
      'sleep 5 & p=$!; kill -STOP $p; sleep 0.2; kill -CONT $p; kill $p; wait $p; echo "killed=$?"; ' +
        'trap "echo got-usr1" USR1; kill -USR1 $$; echo after; ' +
        'sh -c "kill -STOP \\$\\$; echo resumed" & q=$!; sleep 0.3; kill -CONT $q; wait $q; echo "q=$?"',
    );
  });

  test('death by a core-dumping signal (SIGSEGV): 139', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'kill -SEGV $$']);
    assert.equal(r.code, 139, show(r));
  });
});

describe('process lifetime and stdin', () => {
  test('background processes are killed when the command exits, and tsbox returns at once', async () => {
    const s = uniqueSleep(100);
    const r = await sandbox(PLAIN, ['sh', '-c', `sleep ${s} & echo started`], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'started\n');
    assert.ok(r.durationMs < 10_000, `tsbox waited ${r.durationMs} ms`);
    assert.deepEqual(await survivors(`^sleep ${s}`), []);
  });

  test('daemonized processes (setsid, nohup, double fork) do not outlive the sandbox', async () => {
    const a = uniqueSleep(100);
    const b = uniqueSleep(100);
    const c = uniqueSleep(100);
    const r = await sandbox(
      PLAIN,
      ['sh', '-c', `(setsid sleep ${a} >/dev/null 2>&1 &); nohup sleep ${b} >/dev/null 2>&1 & (sh -c "sleep ${c} &" &); echo ok`],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'ok\n');
    assert.ok(r.durationMs < 10_000, `tsbox waited ${r.durationMs} ms`);
    for (const s of [a, b, c]) assert.deepEqual(await survivors(`^sleep ${s}`), [], `sleep ${s} survived`);
  });

  test('stdin is passed through', async () => {
    const r = await sandbox(PLAIN, ['cat'], { input: 'x\n' });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'x\n');
    const read = await sandbox(PLAIN, ['sh', '-c', 'read a; read b; echo "got $b $a"'], { input: 'one\ntwo\n' });
    assert.equal(read.stdout, 'got two one\n', show(read));
  });

  test('large stdin and stdout through a sandboxed filter', async () => {
    const input = Buffer.alloc(3 * 1024 * 1024, 'abcdefghij\n');
    const r = await sandbox(PLAIN, ['sh', '-c', 'tr a-j A-J | wc -c; echo end'], { input });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.replace(/ +/g, ''), `${input.length}\nend\n`);
    const big = await sandbox(PLAIN, ['cat'], { input });
    assert.equal(big.stdout.length, input.length);
    assert.equal(big.stdout, input.toString());
  });

  test('stdin at EOF right away', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'if read a; then echo "read $a"; else echo eof; fi']);
    assert.equal(r.stdout, 'eof\n', show(r));
  });

  test('environment is inherited by default', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'echo "$TSBOX_TEST_VAR"'], { env: { ...process.env, TSBOX_TEST_VAR: 'passed through' } });
    assert.equal(r.stdout, 'passed through\n', show(r));
  });

  test('NODE_EXTRA_CA_CERTS reaches the command unchanged (bin/tsbox keeps it from its own Node.js only)', async () => {
    const script = 'echo "[${NODE_EXTRA_CA_CERTS-unset}] [${TSBOX_NODE_EXTRA_CA_CERTS-unset}]"';
    const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
    const set = await sandbox(PLAIN, ['sh', '-c', script], { env: { ...without, NODE_EXTRA_CA_CERTS: '/some/bundle.pem' } });
    assert.equal(set.stdout, '[/some/bundle.pem] [unset]\n', show(set));
    const empty = await sandbox(PLAIN, ['sh', '-c', script], { env: { ...without, NODE_EXTRA_CA_CERTS: '' } });
    assert.equal(empty.stdout, '[] [unset]\n', show(empty));
    const unset = await sandbox(PLAIN, ['sh', '-c', script], { env: without });
    assert.equal(unset.stdout, '[unset] [unset]\n', show(unset));
  });

  test("tsbox's own Node.js starts without NODE_EXTRA_CA_CERTS (it would parse the whole bundle first)", async () => {
    const s = uniqueSleep(20);
    const policy = tmpPolicy(PLAIN);
    const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
    const started = runTsbox(['run', policy, '--', 'sleep', s], { env: { ...without, NODE_EXTRA_CA_CERTS: '/some/bundle.pem' }, timeoutMs: 60_000 });
    const end = Date.now() + 10_000;
    while (processesMatching(`^sleep ${s}`).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    // bin/tsbox (sh) execs node on bin/tsbox.cjs: that is the command line of the tsbox process.
    const tsboxPid = processesMatching(`${tsboxBin()}.cjs run ${policy}`).map((l) => Number(l.split(' ')[0]))[0];
    assert.ok(tsboxPid, 'tsbox is running');
    const environ = fs.readFileSync(`/proc/${tsboxPid}/environ`, 'latin1').split('\0');
    for (const pid of processesMatching(`^sleep ${s}`).map((l) => Number(l.split(' ')[0]))) process.kill(pid, 'SIGKILL');
    await started;
    assert.ok(!environ.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'NODE_EXTRA_CA_CERTS reached tsbox\'s Node.js');
    assert.ok(environ.includes('TSBOX_NODE_EXTRA_CA_CERTS=/some/bundle.pem'), 'kept aside for the command');
  });
});
