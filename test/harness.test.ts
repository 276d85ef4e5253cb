// The test harness itself: helpers compile and run, and 'unprivileged' really drops privileges.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { helper } from './lib/helpers.js';
import {
  isRoot,
  makeTmpDir,
  runAs,
  runNative,
  skipUnlessUnprivileged,
  tmpPolicy,
  tsboxBin,
  UNPRIVILEGED_UID,
} from './lib/run.js';

test('runAs unprivileged runs as uid 65534 when root', { skip: skipUnlessUnprivileged() }, async () => {
  const r = await runAs('id', ['-u'], { user: 'unprivileged' });
  assert.equal(r.code, 0, r.stderr);
  const expected = isRoot() ? UNPRIVILEGED_UID : process.getuid!();
  assert.equal(r.stdout.trim(), String(expected));
  // No capabilities left and no supplementary groups.
  const status = await runAs('cat', ['/proc/self/status'], { user: 'unprivileged' });
  if (isRoot()) {
    assert.match(status.stdout, /^CapEff:\s*0+$/m);
    assert.match(status.stdout, /^Groups:\s*$/m);
  }
});

test('the unprivileged user can run node and bin/tsbox', { skip: skipUnlessUnprivileged() }, async () => {
  // A checkout under a private folder (e.g. /root) would make every unprivileged test fail.
  const script = `require('fs').accessSync(${JSON.stringify(tsboxBin())}, 5); console.log(process.getuid())`;
  const r = await runAs(process.execPath, ['-e', script], { user: 'unprivileged' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), String(isRoot() ? UNPRIVILEGED_UID : process.getuid!()));
});

test('runAs self keeps the current uid', async () => {
  const r = await runAs('id', ['-u']);
  assert.equal(r.stdout.trim(), String(process.getuid!()));
});

test('runAs passes input, reports exit codes, signals and timeouts', async () => {
  const cat = await runNative('cat', [], { input: 'hello\n' });
  assert.equal(cat.stdout, 'hello\n');
  assert.equal((await runNative('sh', ['-c', 'exit 7'])).code, 7);
  const killed = await runNative('sh', ['-c', 'kill -TERM $$']);
  assert.equal(killed.signal, 'SIGTERM');
  const slow = await runNative('sleep', ['10'], { timeoutMs: 200 });
  assert.equal(slow.timedOut, true);
  assert.equal(slow.signal, 'SIGKILL');
});

test('C helpers compile and produce their documented output', { skip: skipUnlessUnprivileged() }, async () => {
  const stat = await runAs(helper('statloop'), ['1000', '/'], { user: 'unprivileged' });
  assert.equal(stat.stdout, 'statloop 1000 ok\n');
  assert.equal((await runNative(helper('getpidloop'), ['1000'])).stdout, 'getpidloop 1000 ok\n');
  assert.equal((await runNative(helper('forkexec'), ['5', '/bin/true'])).stdout, 'forkexec 5 ok\n');
  const cwd = await runNative(helper('getcwd'), ['/usr']);
  assert.match(cwd.stdout, /^getcwd => "\/usr" len=5$/m);
  const threads = await runNative(helper('threads'), ['-n', '50', '/', '/nonexistent']);
  assert.equal(threads.code, 0, threads.stdout);
  assert.match(threads.stdout, /^t3 stat \/nonexistent => ENOENT$/m);
  assert.match(threads.stdout, /^ok$/m);
});

test('pathcalls leaves its folder empty and prints no host path', { skip: skipUnlessUnprivileged() }, async () => {
  const dir = makeTmpDir({ forUser: 'unprivileged' });
  const r = await runAs(helper('pathcalls'), [dir], { user: 'unprivileged' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^getdents64 \$D => \[\]$/m);
  assert.match(r.stdout, /^done$/m);
  assert.ok(!r.stdout.includes(dir), 'the folder must be printed as $D');
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('tmpPolicy writes a file the unprivileged user can read', { skip: skipUnlessUnprivileged() }, async () => {
  const file = tmpPolicy('version: 1\n');
  const r = await runAs('cat', [file], { user: 'unprivileged' });
  assert.equal(r.stdout, 'version: 1\n');
  assert.equal(path.extname(file), '.yaml');
});
