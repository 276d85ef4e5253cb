// `tsbox run` end to end, the basics users rely on: exit statuses (own code, 128+N, 124, 125,
// 126/127), invalid policies refused before anything starts, the program's streams kept clean of
// tsbox's own logging, signals sent to tsbox, and the `check` / `schema` commands.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { makeTmpDir, runAs, runNative, runTsbox, tmpPolicy, tsboxBin, type RunOptions, type RunResult } from './lib/run.js';
import { show, processesMatching, survivors } from './lib/check.js';

/** Writes `policyText` to a fresh policy file and runs `tsbox run [tsboxArgs] POLICY -- cmd`. */
async function sandbox(
  policyText: string,
  cmd: string[],
  opts: RunOptions & { tsboxArgs?: string[]; policyDir?: string } = {},
): Promise<RunResult & { policy: string }> {
  const policy = tmpPolicy(policyText, opts.policyDir);
  const r = await runTsbox(['run', ...(opts.tsboxArgs ?? []), policy, '--', ...cmd], opts);
  return { ...r, policy };
}

/** The JSON log lines (tsbox's pino output) in `text`; every such line must parse. */
function logLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A `sleep` duration no other process on the machine uses, to find it with pgrep afterwards. */
let uniq = 0;
function uniqueSleep(seconds: number): string {
  return `${seconds}.${process.pid}${++uniq}`;
}

const PLAIN = 'version: 1\nlog: { denials: false }\n';

describe('exit status', () => {
  test('the command\'s own exit code is tsbox\'s exit code', async () => {
    const three = await sandbox(PLAIN, ['sh', '-c', 'exit 3']);
    assert.equal(three.code, 3, show(three));
    const zero = await sandbox(PLAIN, ['true']);
    assert.equal(zero.code, 0, show(zero));
    const big = await sandbox(PLAIN, ['sh', '-c', 'exit 254']);
    assert.equal(big.code, 254, show(big));
  });

  test('killed by signal N gives 128+N', async () => {
    const term = await sandbox(PLAIN, ['sh', '-c', 'kill -TERM $$']);
    assert.equal(term.code, 143, show(term));
    assert.equal(term.signal, null, 'tsbox itself exits normally with 128+N');
    const kill = await sandbox(PLAIN, ['sh', '-c', 'kill -KILL $$']);
    assert.equal(kill.code, 137, show(kill));
    const usr1 = await sandbox(PLAIN, ['sh', '-c', 'kill -USR1 $$']);
    assert.equal(usr1.code, 138, show(usr1));
  });

  test('a child killed by a signal is 128+N for its parent shell; tsbox returns the shell\'s own code', async () => {
    // sh reports a child's death by signal as 128+N in $?, and exits with it: same number, but
    // here the shell itself exits normally, so this is the own-code path.
    const r = await sandbox(PLAIN, ['sh', '-c', 'sh -c "kill -TERM \\$\\$"; echo "child=$?"; exit 5']);
    assert.equal(r.stdout, 'child=143\n', show(r));
    assert.equal(r.code, 5, show(r));
  });

  test('process.args from the policy run when no command is given; a command after -- wins', async () => {
    const policy = tmpPolicy(`${PLAIN}process:\n  args: [sh, -c, "echo from-policy; exit 6"]\n`);
    const fromPolicy = await runTsbox(['run', policy]);
    assert.equal(fromPolicy.stdout, 'from-policy\n', show(fromPolicy));
    assert.equal(fromPolicy.code, 6, show(fromPolicy));
    const overridden = await runTsbox(['run', policy, '--', 'sh', '-c', 'echo from-cli; exit 7']);
    assert.equal(overridden.stdout, 'from-cli\n', show(overridden));
    assert.equal(overridden.code, 7, show(overridden));
  });

  test('limits.timeout kills the whole tree: exit 124, quickly, nothing left behind', async () => {
    const s1 = uniqueSleep(30);
    const s2 = uniqueSleep(31);
    const r = await sandbox(`${PLAIN}limits: { timeout: 1s }\n`, ['sh', '-c', `sleep ${s1} & sleep ${s2}; echo not-reached`], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 124, show(r));
    assert.equal(r.stdout, '', show(r));
    assert.ok(r.durationMs >= 900, `killed before the timeout: ${r.durationMs} ms`);
    assert.ok(r.durationMs < 10_000, `the timeout took ${r.durationMs} ms (sleep was 30 s)`);
    assert.deepEqual(await survivors(`^sleep ${s1}`), [], 'the background sleep survived the timeout');
    assert.deepEqual(await survivors(`^sleep ${s2}`), [], 'the foreground sleep survived the timeout');
  });

  test('limits.timeout also ends a program that ignores SIGTERM and SIGINT', async () => {
    const s = uniqueSleep(30);
    const r = await sandbox(`${PLAIN}limits: { timeout: 1s }\n`, ['sh', '-c', `trap "" TERM INT HUP; sleep ${s}; sleep ${s}`], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 124, show(r));
    assert.ok(r.durationMs < 10_000, `the timeout took ${r.durationMs} ms`);
    assert.deepEqual(await survivors(`^sleep ${s}`), []);
  });

  test('a command that finishes before the timeout keeps its own status', async () => {
    const r = await sandbox(`${PLAIN}limits: { timeout: 20s }\n`, ['sh', '-c', 'echo quick; exit 4']);
    assert.equal(r.code, 4, show(r));
    assert.equal(r.stdout, 'quick\n');
    assert.ok(r.durationMs < 10_000, `${r.durationMs} ms`);
  });

  test('command not found: 127; found but not executable: 126', async () => {
    const missing = await sandbox(PLAIN, ['tsbox-no-such-command-xyz', 'arg']);
    assert.equal(missing.code, 127, show(missing));
    assert.match(missing.stderr, /tsbox-no-such-command-xyz/, 'the message names the command');
    const dir = makeTmpDir();
    const notExec = path.join(dir, 'data.txt');
    fs.writeFileSync(notExec, 'not a program\n', { mode: 0o644 });
    const r = await sandbox(PLAIN, [notExec]);
    assert.equal(r.code, 126, show(r));
  });

  test('no command (none after -- and no process.args): 125 with a message', async () => {
    const withDashes = await sandbox(PLAIN, []);
    assert.equal(withDashes.code, 125, show(withDashes));
    assert.match(withDashes.stderr, /command/i, show(withDashes));
    const policy = tmpPolicy(PLAIN);
    const without = await runTsbox(['run', policy]);
    assert.equal(without.code, 125, show(without));
    assert.match(without.stderr, /command/i);
    assert.doesNotMatch(without.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a policy file that does not exist: 125', async () => {
    const dir = makeTmpDir();
    const marker = path.join(dir, 'marker');
    const r = await runTsbox(['run', path.join(dir, 'nope.yaml'), '--', 'touch', marker]);
    assert.equal(r.code, 125, show(r));
    assert.match(r.stderr, /nope\.yaml/);
    assert.ok(!fs.existsSync(marker), 'the command ran');
  });

  test('an invalid command-line option: 125 and nothing runs', async () => {
    const dir = makeTmpDir();
    const marker = path.join(dir, 'marker');
    // Several times: the error comes while the supervisor Worker is still loading its modules,
    // and exiting in the middle of that once aborted Node.js (SIGABRT) instead of exiting 125.
    const policy = tmpPolicy(PLAIN);
    for (let i = 0; i < 10; i++) {
      const r = await runTsbox(['run', '--memory=bogus', policy, '--', 'touch', marker]);
      assert.equal(r.code, 125, show(r));
      assert.match(r.stderr, /argument 'bogus' is invalid/);
      assert.doesNotMatch(r.stderr, /FATAL ERROR/);
    }
    assert.ok(!fs.existsSync(marker), 'the command ran');
  });
});

describe('limits', () => {
  test('open_files, processes, memory and cpu become the rlimits the program sees', async () => {
    const r = await sandbox(`${PLAIN}limits: { open_files: 64, processes: 500, memory: 1GiB, cpu: 5s }\n`, [
      'bash',
      '-c',
      'ulimit -n; ulimit -u; ulimit -v; ulimit -t',
    ]);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '64\n500\n1048576\n5\n');
  });
});

describe('invalid policies: 125, file:line:column, nothing started', () => {
  // Each class of user error, with the line the message must point at.
  const cases: { name: string; text: string; line: number | null; message: RegExp }[] = [
    { name: 'bad YAML', text: 'version: 1\nnetwork: [none\nlog: { denials: false }\n', line: null, message: /yaml|flow|sequence|collection|]/i },
    { name: 'unknown key', text: 'version: 1\nnetwrok: none\n', line: 2, message: /netwrok.*network/ },
    { name: 'unknown key in a path entry', text: 'version: 1\npaths:\n  - guest: /work\n    acess: ro\n', line: 4, message: /acess.*access/ },
    { name: 'wrong type', text: 'version: 1\nlimits:\n  processes: lots\n', line: 3, message: /limits\.processes/ },
    { name: 'unknown syscall', text: 'version: 1\nsyscalls:\n  deny:\n    - syscall: mkdri\n', line: 4, message: /mkdri.*mkdir/ },
    {
      name: 'unknown errno',
      text: 'version: 1\nsyscalls:\n  deny:\n    - syscall: mkdir\n      errno: EPREM\n',
      line: 5,
      message: /EPREM.*EPERM/,
    },
    {
      name: 'missing host path',
      text: 'version: 1\npaths:\n  - guest: /work\n    host: ./does-not-exist\n',
      line: 4,
      message: /does-not-exist/,
    },
    { name: 'unsupported version', text: 'version: 2\n', line: 1, message: /version/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = makeTmpDir();
      const policy = tmpPolicy(c.text, dir);
      const marker = path.join(dir, 'started');
      const r = await runTsbox(['run', policy, '--', 'sh', '-c', `touch ${marker}; echo ran`]);
      assert.equal(r.code, 125, show(r));
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.ok(!fs.existsSync(marker), 'the command was started despite the invalid policy');
      const esc = policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const where = new RegExp(`^${esc}:${c.line ?? '\\d+'}:\\d+: `, 'm');
      assert.match(r.stderr, where, `expected ${policy}:${c.line ?? 'L'}:C: in stderr: ${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      // `tsbox check` refuses the same file the same way.
      const check = await runTsbox(['check', policy]);
      assert.equal(check.code, 125, show(check));
      assert.match(check.stderr, where);
    });
  }

  test('relative host paths are resolved against the policy file\'s folder, not the caller\'s cwd', async () => {
    const dir = makeTmpDir();
    fs.mkdirSync(path.join(dir, 'proj'));
    fs.writeFileSync(path.join(dir, 'proj', 'hello.txt'), 'hi from proj\n');
    const policy = tmpPolicy(`${PLAIN}paths:\n  - { guest: /work, host: ./proj, access: ro }\n`, dir);
    const elsewhere = makeTmpDir();
    const r = await runTsbox(['run', policy, '--', 'cat', '/work/hello.txt'], { cwd: elsewhere });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'hi from proj\n');
  });
});

describe('streams and logging', () => {
  test('stdout is exactly the program\'s output and stderr only its stderr when denials are not logged', async () => {
    const dir = makeTmpDir();
    const r = await sandbox(
      `${PLAIN}paths:\n  - { guest: /data, host: ${JSON.stringify(dir)}, access: ro }\n`,
      ['sh', '-c', 'echo out1; echo err1 >&2; echo x 2>/dev/null > /data/x; printf "out2"'],
    );
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'out1\nout2');
    assert.equal(r.stderr, 'err1\n');
  });

  test('with log.denials, stdout stays exact and each denial/remap is one JSON line on stderr', async () => {
    const data = makeTmpDir();
    const policy = [
      'version: 1',
      'log: { level: info, denials: true }',
      'paths:',
      `  - { guest: /data, host: ${JSON.stringify(data)}, access: ro }`,
      'syscalls:',
      '  remap:',
      '    - syscall: [getuid, geteuid]',
      '      return: 1234',
      '',
    ].join('\n');
    // The redirection is the shell's own openat, so its log line carries the shell's pid. The
    // program's stderr goes to /dev/null: what remains on tsbox's stderr is tsbox's alone.
    const r = await sandbox(policy, ['sh', '-c', 'exec 2>/dev/null; echo "pid=$$"; id -u; echo x > /data/denied; echo "rc=$?"']);
    assert.equal(r.code, 0, show(r));
    const pid = Number(/^pid=(\d+)$/m.exec(r.stdout)?.[1]);
    assert.equal(r.stdout, `pid=${pid}\n1234\nrc=2\n`, 'stdout must hold only the program\'s output');
    const lines = logLines(r.stderr);
    for (const l of lines) {
      assert.equal(typeof l.pid, 'number', JSON.stringify(l));
      assert.equal(typeof l.syscall, 'string', JSON.stringify(l));
      assert.ok(Array.isArray(l.args), `args is an array: ${JSON.stringify(l)}`);
      assert.equal(typeof l.action, 'string', JSON.stringify(l));
    }
    // Nothing else but JSON lines on stderr.
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l && !l.startsWith('{')),
      [],
      'non-JSON text on stderr',
    );
    const remap = lines.find((l) => l.syscall === 'geteuid' || l.syscall === 'getuid');
    assert.ok(remap, `no line for the getuid remap in ${r.stderr}`);
    assert.match(String(remap.action), /remap/);
    const denial = lines.find((l) => (l.args as unknown[]).includes('/data/denied'));
    assert.ok(denial, `no denial line with the guest path /data/denied in ${r.stderr}`);
    assert.equal(denial.pid, pid, 'the denial names the process that made the call');
    assert.match(String(denial.syscall), /^(open|openat|openat2|creat)$/);
    assert.match(String(denial.action), /den/);
    assert.ok(!r.stderr.includes(data), 'the log must show guest paths, not the host path');
  });

  test('a remap conditioned on a path logs that path (guest terms) in args', async () => {
    const work = makeTmpDir();
    fs.writeFileSync(path.join(work, 'keep-me'), 'k');
    const policy = [
      'version: 1',
      'log: { denials: true }',
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
      'syscalls:',
      '  remap:',
      '    - syscall: unlink',
      '      args: [{ index: 0, op: eq, value: "/work/keep-me" }]',
      '      errno: EACCES',
      '',
    ].join('\n');
    const r = await sandbox(policy, ['unlink', '/work/keep-me']);
    assert.notEqual(r.code, 0, show(r));
    assert.ok(fs.existsSync(path.join(work, 'keep-me')));
    const line = logLines(r.stderr).find((l) => l.syscall === 'unlink');
    assert.ok(line, `no log line for unlink: ${r.stderr}`);
    assert.ok((line.args as unknown[]).includes('/work/keep-me'), `args in guest terms expected, got ${JSON.stringify(line)}`);
  });

  test('--log-file takes the log lines off stderr', async () => {
    const dir = makeTmpDir();
    const logFile = path.join(dir, 'tsbox.log');
    const policy = 'version: 1\nlog: { denials: true }\nsyscalls:\n  remap:\n    - syscall: [getuid, geteuid]\n      return: 4321\n';
    const r = await sandbox(policy, ['sh', '-c', 'id -u; echo to-stderr >&2'], { tsboxArgs: ['--log-file', logFile] });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '4321\n');
    assert.equal(r.stderr, 'to-stderr\n', 'only the program\'s own stderr');
    const lines = logLines(fs.readFileSync(logFile, 'utf8'));
    assert.ok(lines.some((l) => l.syscall === 'geteuid' && typeof l.pid === 'number' && Array.isArray(l.args)), JSON.stringify(lines));
  });

  test('debug logging never reaches the program\'s stdout', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'echo a; (echo b); sh -c "echo c"'], { tsboxArgs: ['--log-level', 'debug'] });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'a\nb\nc\n');
    for (const l of r.stderr.split('\n').filter(Boolean)) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
  });

  test('binary output passes through byte for byte', async () => {
    const r = await sandbox(PLAIN, ['sh', '-c', 'head -c 300000 /bin/sh | od -An -tx1 | tail -3; head -c 300000 /bin/sh | cksum']);
    const expected = await runNative('sh', ['-c', 'head -c 300000 /bin/sh | od -An -tx1 | tail -3; head -c 300000 /bin/sh | cksum']);
    assert.equal(expected.code, 0);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, expected.stdout);
  });
});

describe('signals sent to tsbox', () => {
  test('SIGTERM to tsbox reaches the command: exit 143 and no process left', async () => {
    const s = uniqueSleep(40);
    const policy = tmpPolicy(PLAIN);
    const started = runAs(tsboxBin(), ['run', policy, '--', 'sh', '-c', `sleep ${s}; echo survived`], { timeoutMs: 60_000 });
    // Wait until the sandboxed sleep exists, then signal tsbox alone (not its group).
    const end = Date.now() + 10_000;
    while (processesMatching(`^sleep ${s}`).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    // bin/tsbox (sh) execs node on bin/tsbox.cjs: that is the command line of the tsbox process.
    const tsboxPid = processesMatching(`${tsboxBin()}.cjs run ${policy}`).map((l) => Number(l.split(' ')[0]))[0];
    assert.ok(tsboxPid, 'tsbox is running');
    process.kill(tsboxPid, 'SIGTERM');
    const r = await started;
    assert.equal(r.code, 143, show(r));
    assert.equal(r.stdout, '');
    assert.deepEqual(await survivors(`^sleep ${s}`), []);
  });

  test('Ctrl-C (SIGINT to the foreground process group): exit 130, nothing left', async () => {
    const s = uniqueSleep(40);
    const policy = tmpPolicy(PLAIN);
    // runAs puts tsbox in its own process group, like a shell's foreground job.
    const started = runAs(tsboxBin(), ['run', policy, '--', 'sleep', s], { timeoutMs: 60_000 });
    const end = Date.now() + 10_000;
    while (processesMatching(`^sleep ${s}`).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const tsboxPid = processesMatching(`${tsboxBin()}.cjs run ${policy}`).map((l) => Number(l.split(' ')[0]))[0];
    assert.ok(tsboxPid, 'tsbox is running');
    process.kill(-tsboxPid, 'SIGINT');
    const r = await started;
    assert.equal(r.code, 130, show(r));
    assert.deepEqual(await survivors(`^sleep ${s}`), []);
  });
});

test('a signal that reaches tsbox while it starts is not lost: the command never runs on', async () => {
  // Hiding one entry of a folder of 40 000 makes the supervisor's preparation long (Landlock
  // grants every sibling), so a SIGTERM sent 0.35 s after Node.js started lands while the
  // command does not exist yet: tsbox must keep it for the command. Sent earlier, it ends tsbox
  // by its default action; later, it is forwarded. Either way the command must not run on.
  const big = makeTmpDir({ prefix: 'tsbox-bigdir-' });
  for (let i = 0; i < 40_000; i++) fs.writeFileSync(path.join(big, String(i)), '');
  const s = uniqueSleep(20);
  const policy = tmpPolicy(`${PLAIN}paths:\n  - { guest: ${JSON.stringify(path.join(big, '0'))}, access: none }\n`);
  const child = spawn(tsboxBin(), ['run', policy, '--', 'sh', '-c', `sleep ${s}; echo ran`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  const isNode = (): boolean => {
    try {
      return fs.readFileSync(`/proc/${child.pid}/cmdline`, 'latin1').includes('tsbox.cjs'); // no longer the sh launcher
    } catch {
      return false;
    }
  };
  const until = Date.now() + 10_000;
  while (!isNode() && Date.now() < until) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 350));
  child.kill('SIGTERM');
  const [code, signal] = await ended;
  assert.ok(code === 143 || signal === 'SIGTERM', `ended with code ${code}, signal ${signal}`);
  assert.equal(out, '', 'the command ran on');
  assert.deepEqual(await survivors(`^sleep ${s}`), []);
});

describe('tsbox check and tsbox schema', () => {
  test('check prints what is enforced and how, with the policy line of each rule', async () => {
    const work = makeTmpDir();
    const text = [
      'version: 1',
      'name: checked',
      'paths:',
      `  - { guest: /work, host: ${JSON.stringify(work)}, access: rw }`,
      '  - { guest: /secret, access: none }',
      'syscalls:',
      '  deny:',
      '    - syscall: [mkdir, mkdirat]',
      '      errno: EACCES',
      '    - syscall: kexec_file_load',
      '      action: kill',
      '  remap:',
      '    - syscall: getuid',
      '      return: 1234',
      'network: none',
      'limits: { timeout: 90s }',
      '',
    ].join('\n');
    const policy = tmpPolicy(text);
    const base = path.basename(policy);
    const r = await runTsbox(['check', policy]);
    assert.equal(r.code, 0, show(r));
    const out = r.stdout;
    assert.match(out, /checked/);
    assert.match(out, new RegExp(`/work → ${work.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(rw\\).*${base}:4:`, 'm'));
    assert.match(out, new RegExp(`/secret hidden.*${base}:5:`, 'm'));
    assert.match(out, new RegExp(`kernel \\(seccomp BPF\\): mkdir, mkdirat → errno EACCES.*${base}:8:`, 'm'));
    assert.match(out, /kexec_file_load → kill/);
    assert.match(out, /getuid.*1234/);
    assert.match(out, /socket.*AF_UNIX.*EACCES/);
    assert.match(out, /network: none/);
    assert.match(out, /timeout.*(90s|1m30s|90 s)/);
    // It says which path rules the kernel enforces (Landlock) and which only the supervisor does.
    assert.match(out, /landlock/i);
    assert.equal(r.stderr, '');
  });

  test('check of a minimal policy states the host root is shown and the network is open', async () => {
    const r = await runTsbox(['check', tmpPolicy('version: 1\n')]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /guest "\/": the host's "\/"/);
    assert.match(r.stdout, /network: host/);
  });

  test('schema prints valid JSON Schema describing the policy format', async () => {
    const r = await runTsbox(['schema']);
    assert.equal(r.code, 0, show(r));
    const schema = JSON.parse(r.stdout) as {
      type: string;
      additionalProperties: unknown;
      required: string[];
      properties: Record<string, { type?: string; items?: { properties: Record<string, { enum?: string[] }> } }>;
    };
    assert.equal(schema.type, 'object');
    assert.ok(schema.required.includes('version'));
    assert.equal(schema.additionalProperties, false, 'unknown keys are errors');
    for (const key of ['version', 'paths', 'syscalls', 'identity', 'network', 'limits', 'log', 'process', 'root']) {
      assert.ok(key in schema.properties, `properties.${key}`);
    }
    assert.equal(schema.properties.paths.type, 'array');
    assert.deepEqual([...(schema.properties.paths.items?.properties.access.enum ?? [])].sort(), ['none', 'ro', 'rw']);
  });
});
