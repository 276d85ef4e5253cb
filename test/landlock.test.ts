// Landlock, the kernel half of `paths` (issue 4): what it refuses on its own, what "only grants"
// means for entries created later, and `enforcement: strict | best-effort` on a kernel that
// offers less. Run as the unprivileged user.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { makeTmpDir, runTsbox, skipUnlessUnprivileged, tmpPolicy, type RunOptions } from './lib/run.js';

const user = 'unprivileged' as const;
const skip = skipUnlessUnprivileged();

function own(p: string): void {
  if (process.getuid?.() === 0) fs.chownSync(p, 65534, 65534);
}

/** A folder with a hidden subfolder and a read-only one, as the unprivileged user owns them. */
function layout() {
  const top = makeTmpDir({ forUser: user });
  for (const d of ['hidden', 'ro', 'rw']) {
    fs.mkdirSync(path.join(top, d));
    own(path.join(top, d));
  }
  fs.writeFileSync(path.join(top, 'hidden', 'secret'), 'SECRET\n');
  fs.writeFileSync(path.join(top, 'ro', 'file'), 'original\n');
  fs.writeFileSync(path.join(top, 'before'), 'made before the run\n');
  for (const f of ['hidden/secret', 'ro/file', 'before']) own(path.join(top, f));
  const policy = tmpPolicy(`version: 1\npaths:\n  - guest: ${top}/hidden\n    access: none\n  - guest: ${top}/ro\n    access: ro\n`, makeTmpDir({ forUser: user }));
  return { top, policy };
}

const run = (policy: string, script: string, opts: RunOptions = {}) =>
  runTsbox(['run', policy, '--', 'sh', '-c', script], { user, ...opts });

describe('landlock', { skip }, () => {
  test('tsbox check says which rules the kernel enforces', async () => {
    const { top, policy } = layout();
    const r = await runTsbox(['check', policy], { user });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /landlock: ABI \d+/);
    assert.ok(r.stdout.includes(`kernel-enforced (landlock): ${top}/hidden none`), r.stdout);
    assert.ok(r.stdout.includes(`kernel-enforced (landlock): ${top}/ro ro`), r.stdout);
  });

  test('the command holds no fd of tsbox: the ruleset it restricted itself with is closed', async () => {
    // The supervisor builds the ruleset and the stub inherits its fd to call
    // landlock_restrict_self; the program must not find it (nor any other fd of tsbox) open.
    const { policy } = layout();
    const r = await run(policy, 'for f in /proc/self/fd/*; do echo "$f -> $(readlink $f)"; done');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/fd\/0 -> /); // the listing itself worked
    assert.doesNotMatch(r.stdout, /landlock|anon_inode/, r.stdout); // a ruleset fd reads "anon_inode:landlock-ruleset"
  });

  test('a hidden file stays unreadable through a path the supervisor does not see as hidden', async () => {
    // /proc/self/cwd/… is a magic link the supervisor leaves to the kernel: only Landlock stands
    // between the program and the file. Natively the same read works (the file is the user's).
    const { top, policy } = layout();
    assert.equal(fs.readFileSync(path.join(top, 'hidden', 'secret'), 'utf8'), 'SECRET\n');
    const r = await run(policy, `cd ${top} && cat /proc/self/cwd/hidden/secret; echo "rc=$?"`);
    assert.doesNotMatch(r.stdout, /SECRET/);
    assert.match(r.stdout, /rc=1/);
  });

  test('entries created later directly in an ancestor of a restricted path are refused', async () => {
    // Landlock only grants: `top` holds a hidden folder, so `top` itself gets no write right and
    // its existing entries get rules of their own. A new entry in `top` is covered by none.
    const { top, policy } = layout();
    const pending = run(policy, [
      `cat ${top}/before`, // existed at launch: granted
      `echo x > ${top}/rw/new && echo rw-ok`, // inside a granted sibling folder: fine
      `echo x > ${top}/created-inside 2>/dev/null || echo create-refused`,
      `sleep 1.5; cat ${top}/created-by-host 2>/dev/null || echo later-refused`,
      `ls ${top}/created-by-host >/dev/null && echo later-visible`, // the name exists: it is the open that fails
    ].join('; '), { timeoutMs: 30_000 });
    // The host makes a file in `top` while the sandbox runs: the sandbox cannot open it.
    await new Promise((res) => setTimeout(res, 700));
    fs.writeFileSync(path.join(top, 'created-by-host'), 'later\n');
    own(path.join(top, 'created-by-host'));
    const done = await pending;
    assert.equal(done.stdout, 'made before the run\nrw-ok\ncreate-refused\nlater-refused\nlater-visible\n', done.stderr);
    assert.ok(!fs.existsSync(path.join(top, 'created-inside')));
  });

  test('enforcement: strict refuses to start on a kernel that cannot enforce the policy', async () => {
    const { policy } = layout();
    const marker = path.join(makeTmpDir({ forUser: user }), 'started');
    const r = await run(policy, `touch ${marker}`, { env: { ...process.env, TSBOX_LANDLOCK_MAX_ABI: '0' } });
    assert.equal(r.code, 125);
    assert.match(r.stderr, /cannot enforce this policy \(enforcement: strict\).*Landlock is not available/);
    assert.ok(!fs.existsSync(marker), 'the command must not have started');
  });

  test('enforcement: best-effort runs and warns once', async () => {
    const { top } = layout();
    const policy = tmpPolicy(`version: 1\nenforcement: best-effort\npaths:\n  - guest: ${top}/hidden\n    access: none\n`, makeTmpDir({ forUser: user }));
    const r = await run(policy, `cat ${top}/hidden/secret 2>&1; echo done`, { env: { ...process.env, TSBOX_LANDLOCK_MAX_ABI: '5' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No such file or directory\ndone\n$/); // the supervisor still hides it
    const warnings = r.stderr.split('\n').filter((l) => l.includes('best-effort'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /ABI 5 < 6: signals and abstract unix sockets/);
  });
});
