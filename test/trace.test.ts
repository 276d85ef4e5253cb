// `tsbox run --trace`: the decoded lines for a C helper whose syscalls are known exactly
// (test/helpers/tracecalls.c) match them — names, guest paths, symbolic flags, results and errno
// names — in order; classes filter; a denial is marked; the lines go to --log-file or stderr and
// never to the program's stdout. Runs as the unprivileged user.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { helper } from './lib/helpers.js';
import { makeTmpDir, runTsbox, skipUnlessUnprivileged, tmpPolicy, type RunResult } from './lib/run.js';

interface TraceLine {
  event: string;
  pid: number;
  syscall?: string;
  args?: string[];
  paths?: string[];
  result?: number | null;
  errno?: string;
  action?: string;
  us?: number;
  msg: string;
}

function traceLines(text: string): TraceLine[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TraceLine).filter((l) => l.event === 'trace');
}

const show = (r: RunResult) => `code=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 500))} stderr=${JSON.stringify(r.stderr.slice(0, 2000))}`;

const q = (s: string) => JSON.stringify(s);

describe('tsbox run --trace', { skip: skipUnlessUnprivileged() }, () => {
  const bin = helper('tracecalls');

  async function traced(classes: string | null, extra: (secret: string) => string[] = () => []) {
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    // Not inside dir: Landlock refuses new entries next to a hidden one (docs/SECURITY.md).
    const secret = path.join(makeTmpDir(), 'secret');
    fs.mkdirSync(secret);
    const policy = tmpPolicy(`version: 1\npaths:\n  - guest: ${q(secret)}\n    access: none\n`);
    const log = path.join(dir, 'trace.log');
    const flag = classes === null ? '--trace' : `--trace=${classes}`;
    const r = await runTsbox(['run', flag, '--log-file', log, policy, '--', bin, dir, ...extra(secret)], { user: 'unprivileged' });
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    return { r, dir, secret, lines: traceLines(text), text };
  }

  test('the helper\'s file calls, decoded in order with results', async () => {
    const { r, dir, lines } = await traced('file');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^tracecalls ok 6$/m, 'the program\'s stdout is untouched');
    assert.doesNotMatch(r.stdout, /"event":"trace"/);
    const file = path.join(dir, 'traced.txt');
    const sub = path.join(dir, 'subdir');
    // The helper's own calls, in the order it makes them.
    const mine = lines.filter((l) => l.args?.some((a) => a.includes(dir) || a.includes('/nonexistent-tsbox/')));
    const expected: Array<[string, string[], (res: number | null | undefined) => boolean, string?]> = [
      ['openat', ['AT_FDCWD', q(file), 'O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC', '0640'], (x) => typeof x === 'number' && x >= 3],
      ['newfstatat', ['AT_FDCWD', q(file)], (x) => x === 0],
      ['faccessat', ['AT_FDCWD', q(file), 'R_OK|W_OK'], (x) => x === 0],
      ['mkdirat', ['AT_FDCWD', q(sub), '0755'], (x) => x === 0],
      ['unlinkat', ['AT_FDCWD', q(sub), 'AT_REMOVEDIR'], (x) => x === 0],
      ['unlinkat', ['AT_FDCWD', q(file), '0'], (x) => x === 0],
      ['openat', ['AT_FDCWD', q('/nonexistent-tsbox/x'), 'O_RDONLY'], (x) => x === -2, 'ENOENT'],
    ];
    assert.ok(mine.length >= expected.length, `too few lines:\n${mine.map((l) => l.msg).join('\n')}`);
    expected.forEach(([name, args, ok, errno], i) => {
      const line = mine[i]!;
      assert.equal(line.syscall, name, `line ${i}: ${line.msg}`);
      for (const [j, a] of args.entries()) {
        if (name === 'newfstatat' && j > 1) break;
        assert.equal(line.args![j], a, `line ${i} argument ${j}: ${line.msg}`);
      }
      assert.ok(ok(line.result), `line ${i} result: ${line.msg}`);
      if (errno) assert.equal(line.errno, errno, line.msg);
      assert.ok(typeof line.us === 'number' && line.us >= 0, 'duration in µs');
      assert.match(line.msg, new RegExp(`^\\[pid \\d+\\] ${name}\\(`), 'strace-like text');
    });
    // The newfstatat line carries its flags too (0), and the guest path the call resolved to.
    assert.equal(mine[1]!.args![3], '0');
    assert.deepEqual(mine[0]!.paths, [file]);
    assert.match(mine[6]!.msg, /= -1 ENOENT/);
  });

  test('a denied call is marked, with the errno the program saw', async () => {
    const { r, lines } = await traced('file', (secret) => [path.join(secret, 'key')]);
    assert.equal(r.code, 0, show(r));
    const denied = lines.find((l) => l.syscall === 'openat' && l.args?.[1]?.includes('/secret/key'));
    assert.ok(denied, lines.map((l) => l.msg).join('\n'));
    assert.equal(denied.action, 'denied', denied.msg);
    assert.equal(denied.errno, 'ENOENT');
    assert.match(denied.msg, /= -1 ENOENT \[tsbox: denied read\]/);
  });

  test('classes filter: process shows exec and exit but no file calls; network shows none of them', async () => {
    const proc = await traced('process');
    assert.equal(proc.r.code, 0, show(proc.r));
    const names = new Set(proc.lines.map((l) => l.syscall).filter(Boolean));
    assert.ok(names.has('execve'), [...names].join(' '));
    assert.ok(!names.has('openat') && !names.has('unlinkat'), [...names].join(' '));
    const exec = proc.lines.find((l) => l.syscall === 'execve' && l.args?.[0] === q(bin));
    assert.ok(exec, proc.lines.map((l) => l.msg).join('\n'));
    assert.equal(exec.result, 0);
    assert.match(exec.args![1]!, new RegExp(`^\\[${q(bin).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, `));
    assert.ok(proc.lines.some((l) => /\+\+\+ \d+ exited with 0 \+\+\+/.test(l.msg)), 'exit of the helper');
    assert.ok(proc.lines.some((l) => l.syscall === 'exit_group'), 'exit_group is traced (= ?)');

    const net = await traced('network');
    assert.equal(net.r.code, 0, show(net.r));
    assert.equal(net.lines.filter((l) => l.syscall === 'openat' || l.syscall === 'execve').length, 0);
  });

  test('bare --trace traces every class; without --log-file the lines go to stderr, never stdout', async () => {
    const dir = makeTmpDir({ forUser: 'unprivileged' });
    const policy = tmpPolicy('version: 1\n');
    const r = await runTsbox(['run', '--trace', policy, '--', bin, dir], { user: 'unprivileged' });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'tracecalls ok 6\n');
    const lines = traceLines(r.stderr);
    const names = new Set(lines.map((l) => l.syscall));
    for (const n of ['execve', 'openat', 'unlinkat', 'exit_group']) assert.ok(names.has(n), `${n} in ${[...names].join(' ')}`);
  });

  test('an unknown class is refused before anything runs (exit 125)', async () => {
    const r = await runTsbox(['run', '--trace=files', tmpPolicy('version: 1\n'), '--', 'true'], { user: 'unprivileged' });
    assert.equal(r.code, 125, show(r));
    assert.match(r.stderr, /unknown trace class "files"/);
  });
});
