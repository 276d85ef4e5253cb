// Property-based fuzzing of guest path resolution (runtime/paths.ts, PathTranslator.resolve) on a
// real tree full of adversarial symlinks: absolute targets, `..` chains climbing out of the root
// and out of binds, targets naming the host's own paths, hidden folders, loops and long chains.
// For any generated path, from any base folder, following the last symlink or not:
//   - resolution terminates, with a result or ENOENT / ENOTDIR / ELOOP (ELOOP for loops);
//   - the host path is inside the guest root folder or inside a bind's host folder, never in the
//     folder outside both that holds the "host secret";
//   - a host path at or under a hidden (access: none) folder's real location comes with the
//     rule that hides it, so the supervisor refuses it.
// And the kernel half of the same claim: the Landlock rules derived from the same plan grant no
// read access at or below a hidden folder's real host location.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ERRNO } from '../arch/index.js';
import { compilePolicySource } from '../policy/load.js';
import type { Plan } from '../policy/plan.js';
import { FS, landlockPlan } from '../runtime/landlock-rules.js';
import { PathTranslator, type Base } from '../runtime/paths.js';
import { makeTmpDir } from './lib/run.js';

// A fixed seed by default, so that CI runs the same inputs every time (a run that finds a new
// counterexample should not decide whether unrelated work lands); FUZZ_SEED=random explores.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261204);
fc.configureGlobal({ seed: SEED });

const SCALE = Number(process.env.FUZZ_RUNS ?? '1');
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

// ---- the tree -------------------------------------------------------------------------------
const T = fs.realpathSync(makeTmpDir({ prefix: 'tsbox-fuzz-paths-' }));
const ROOT = path.join(T, 'root');
const WORK = path.join(T, 'bind-work');
const DATA = path.join(T, 'bind-data');
const OUTSIDE = path.join(T, 'outside');
const CHAIN = 45; // more than the kernel's 40 symlinks: ELOOP

function mk(p: string, kind: 'dir' | 'file' | string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  if (kind === 'dir') fs.mkdirSync(p, { recursive: true });
  else if (kind === 'file') fs.writeFileSync(p, 'x\n');
  else fs.symlinkSync(kind, p); // anything else is a symlink target
}

const TREE: Array<[string, string]> = [
  // The guest root.
  ['root/etc/passwd', 'file'],
  ['root/etc/hidden/key', 'file'], // hidden: /etc/hidden
  ['root/home/u/notes', 'file'],
  ['root/dir/sub/leaf', 'file'],
  ['root/dir/up', '..'],
  ['root/dir/upup', '../../../..'],
  ['root/dir/sub/back', '../../etc'],
  ['root/work', 'dir'], // mount points of the binds
  ['root/data', 'dir'],
  ['root/tmp', 'dir'],
  ['root/abs-escape', '/../../outside/secret'],
  ['root/rel-escape', '../../../../outside/secret'],
  ['root/host-abs', path.join(OUTSIDE, 'secret')], // a host path, meaningless in the guest
  ['root/host-dir', T],
  ['root/to-hidden', '/etc/hidden/key'],
  ['root/to-hidden-rel', 'etc/hidden'],
  ['root/to-hidden-dotdot', 'dir/sub/../../etc/./hidden'],
  ['root/to-work', '/work'],
  ['root/to-private', '/work/private/key'],
  ['root/loop1', 'loop2'],
  ['root/loop2', '/loop1'],
  ['root/self', 'self'],
  ['root/dloop', 'dir/sub/../../dloop/x'],
  ...Array.from({ length: CHAIN }, (_, i): [string, string] => [`root/chain${i}`, i === CHAIN - 1 ? '/etc' : `chain${i + 1}`]),
  ...Array.from({ length: 6 }, (_, i): [string, string] => [`root/short${i}`, i === 5 ? '/etc/hidden' : `/short${i + 1}`]),
  // The rw bind at /work, with a hidden folder inside it.
  ['bind-work/file', 'file'],
  ['bind-work/private/key', 'file'], // hidden: /work/private
  ['bind-work/a/b/c', 'file'],
  ['bind-work/escape', '../../outside/secret'],
  ['bind-work/escape-abs', '/../outside'],
  ['bind-work/to-private', 'private/key'],
  ['bind-work/to-private-abs', '/work/private'],
  ['bind-work/to-root', '/'],
  ['bind-work/deep', 'a/b/../../escape'],
  ['bind-work/host-private', path.join(WORK, 'private')],
  ['bind-work/wloop', 'wloop'],
  // The ro bind at /data.
  ['bind-data/f', 'file'],
  ['bind-data/back', '../bind-work/private/key'],
  ['bind-data/up', '..'],
  ['bind-data/to-data', '/data/up/data'],
  // Outside the root and every bind: must never be reached.
  ['outside/secret', 'file'],
];
for (const [rel, kind] of TREE) mk(path.join(T, rel), kind);

const policyFile = path.join(T, 'policy.yaml');
const POLICY = [
  'version: 1',
  'root: ./root',
  'paths:',
  '  - { guest: /work, host: ./bind-work, access: rw }',
  '  - { guest: /work/private, access: none }',
  '  - { guest: /data, host: ./bind-data, access: ro }',
  '  - { guest: /etc/hidden, access: none }',
  '',
].join('\n');
fs.writeFileSync(policyFile, POLICY);
const plan: Plan = compilePolicySource(POLICY, policyFile);
const tr = new PathTranslator(plan.paths, plan.root);

/** Where each hidden guest folder really is on the host (through the bind that holds it). */
const HIDDEN_REAL: Array<{ guest: string; host: string }> = [
  { guest: '/etc/hidden', host: path.join(ROOT, 'etc/hidden') },
  { guest: '/work/private', host: path.join(WORK, 'private') },
];

const isUnder = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
/** Host folders a resolved path may be in: the root, and every bind's host folder (the default /proc, /dev, /sys included). */
const ALLOWED = [ROOT, ...plan.paths.filter((r) => r.bind && r.access !== 'none').map((r) => r.host)];

const BASES: Base[] = ['/', '/etc', '/dir/sub', '/home/u', '/work', '/work/a/b', '/data', '/tmp'].map((guest) => ({
  guest,
  host: tr.toHost(guest),
}));

const COMPONENTS = ['..', '..', '..', '.', '', 'etc', 'hidden', 'key', 'passwd', 'home', 'u', 'dir', 'sub', 'leaf', 'up',
  'upup', 'back', 'work', 'data', 'tmp', 'abs-escape', 'rel-escape', 'host-abs', 'host-dir', 'to-hidden', 'to-hidden-rel',
  'to-hidden-dotdot', 'to-work', 'to-private', 'loop1', 'self', 'dloop', 'chain0', 'chain30', 'short0', 'short3', 'file',
  'private', 'a', 'b', 'c', 'escape', 'escape-abs', 'to-private-abs', 'to-root', 'deep', 'host-private', 'wloop', 'f',
  'to-data', 'missing', 'outside', 'secret', 'bind-work', 'root', path.basename(T), ...T.split('/').filter(Boolean)];

const pathArb = fc
  .record({
    absolute: fc.boolean(),
    parts: fc.array(fc.constantFrom(...COMPONENTS), { minLength: 1, maxLength: 24 }),
    seps: fc.array(fc.constantFrom('/', '/', '/', '//', '/./'), { minLength: 24, maxLength: 24 }),
    trailing: fc.constantFrom('', '', '/', '/.'),
  })
  .map(({ absolute, parts, seps, trailing }) => (absolute ? '/' : '') + parts.map((p, i) => (i === 0 ? p : seps[i]! + p)).join('') + trailing)
  .filter((p) => p !== '');

const OK_ERRNOS = new Set([ERRNO.ENOENT, ERRNO.ENOTDIR, ERRNO.ELOOP]);

interface Tally {
  resolved: number;
  hidden: number;
  errnos: Record<string, number>;
}

function checkOne(raw: string, base: Base, follow: boolean, tally: Tally): void {
  const started = performance.now();
  const r = tr.resolve(raw, base, follow, process.pid);
  const ms = performance.now() - started;
  const what = `resolve(${JSON.stringify(raw)}, base ${base.guest}, follow ${follow})`;
  assert.ok(ms < 2000, `${what} took ${ms} ms`);
  if ('errno' in r) {
    assert.ok(OK_ERRNOS.has(r.errno), `${what}: errno ${r.errno}`);
    tally.errnos[r.errno] = (tally.errnos[r.errno] ?? 0) + 1;
    return;
  }
  tally.resolved++;
  const host = r.host.length > 1 ? r.host.replace(/\/$/, '') : r.host;
  assert.ok(r.guest.startsWith('/') && !r.guest.split('/').some((c) => c === '..' || c === '.'), `${what}: guest ${r.guest} is not canonical`);
  assert.ok(!isUnder(host, OUTSIDE), `${what} → ${r.host}: outside the root and every bind`);
  assert.ok(ALLOWED.some((dir) => isUnder(host, dir)), `${what} → ${r.host}: not inside the root or a bind`);
  for (const h of HIDDEN_REAL) {
    if (isUnder(host, h.host)) {
      assert.equal(r.rule?.access, 'none', `${what} → ${r.host} (guest ${r.guest}) is under hidden ${h.guest} but its rule is ${JSON.stringify(r.rule)}`);
      tally.hidden++;
    }
  }
  // The supervisor hands `host` to the kernel, which follows whatever symlinks are left in it on
  // the HOST: the file it reaches must obey the same two rules.
  if (r.rule?.access === 'none') return;
  const reached = kernelTarget(host, follow);
  if (reached === null) return;
  assert.ok(!isUnder(reached, OUTSIDE) && ALLOWED.some((dir) => isUnder(reached, dir)),
    `${what} → ${r.host}, where the kernel reaches ${reached}: outside the root and every bind`);
  for (const h of HIDDEN_REAL) {
    assert.ok(!isUnder(reached, h.host), `${what} → ${r.host} (guest ${r.guest}, rule ${r.rule ? r.rule.access : 'no rule'}), where the kernel reaches ${reached}: inside hidden ${h.guest}`);
  }
}

/** What the kernel reaches from a host path, following symlinks on the host (null: nothing there). */
function kernelTarget(host: string, follow: boolean): string | null {
  try {
    if (follow) return fs.realpathSync(host);
    return path.join(fs.realpathSync(path.dirname(host)), path.basename(host));
  } catch {
    return null;
  }
}

describe('fuzz: guest path resolution stays inside the root and binds, and hidden stays hidden', () => {
  test('sanity: the tree resolves as designed', () => {
    const at = (raw: string, follow = true, base: Base = BASES[0]!) => tr.resolve(raw, base, follow, process.pid);
    assert.deepEqual(at('/loop1'), { errno: ERRNO.ELOOP });
    assert.deepEqual(at('/chain0'), { errno: ERRNO.ELOOP });
    const hidden = at('/short0/key');
    assert.ok(!('errno' in hidden) && hidden.rule?.access === 'none', JSON.stringify(hidden));
    const viaBind = at('/data/back');
    // `..` stops at the guest "/": the link names /bind-work/…, which the guest does not have.
    assert.ok('errno' in viaBind ? viaBind.errno === ERRNO.ENOENT : !isUnder(viaBind.host, WORK), JSON.stringify(viaBind));
    const priv = at('/to-private');
    assert.ok(!('errno' in priv) && priv.rule?.access === 'none', JSON.stringify(priv));
    const escape = at('/work/escape');
    // ../../outside climbs to the guest "/", which has no /outside: ENOENT, never the host's.
    assert.ok('errno' in escape ? escape.errno === ERRNO.ENOENT : isUnder(escape.host, ROOT), JSON.stringify(escape));
  });

  test('`..` after a missing folder: the symlinks that follow are still resolved in guest terms', () => {
    // The walk keeps the rest of a path lexical once a component is missing. When a later `..`
    // climbs back above the missing one, the rest names real files again, and symlinks in it
    // must not be left for the kernel to follow on the host.
    const tally: Tally = { resolved: 0, hidden: 0, errnos: {} };
    const failures: string[] = [];
    for (const raw of ['/missing/../work/to-private', '/missing/../host-abs', '/missing/../to-hidden-rel/key', '/abs-escape/../../work/deep',
      '/work/missing/../to-private', '/dir/missing/../../to-hidden']) {
      try {
        checkOne(raw, BASES[0]!, true, tally);
      } catch (e) {
        failures.push((e as Error).message.split('\n')[0]!);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('any generated path, from any base, following the last link or not', (t) => {
    const tally: Tally = { resolved: 0, hidden: 0, errnos: {} };
    fc.assert(
      fc.property(pathArb, fc.constantFrom(...BASES), fc.boolean(), (raw, base, follow) => checkOne(raw, base, follow, tally)),
      { numRuns: runs(30_000) },
    );
    t.diagnostic(`runs: ${runs(30_000)}; resolved ${tally.resolved} (${tally.hidden} under a hidden folder, all refused), errnos ${JSON.stringify(tally.errnos)}`);
    assert.ok(tally.resolved > 0 && tally.hidden > 0, 'the generator never reached a hidden folder');
  });

  test('generated paths without a literal `..` (symlinks still climb with theirs)', (t) => {
    // The same property where the walk never has to climb back above a missing folder (the case
    // the test above shows broken): everything else about resolution is exercised here.
    const tally: Tally = { resolved: 0, hidden: 0, errnos: {} };
    fc.assert(
      fc.property(pathArb.filter((p) => !p.split('/').includes('..')), fc.constantFrom(...BASES), fc.boolean(), (raw, base, follow) => checkOne(raw, base, follow, tally)),
      { numRuns: runs(20_000) },
    );
    t.diagnostic(`runs: ${runs(20_000)}; resolved ${tally.resolved} (${tally.hidden} under a hidden folder, all refused), errnos ${JSON.stringify(tally.errnos)}`);
    assert.ok(tally.hidden > 0, 'the generator never reached a hidden folder');
  });

  test('loops and over-long chains end in ELOOP wherever they are reached from', (t) => {
    // Detours that each lead from the guest "/" back to it, through symlinks, binds and `..`.
    const detour = fc.constantFrom('.', '..', 'dir/up', 'dir/sub/../up', 'etc/..', 'to-work/..', 'dir/upup', 'work/..', 'data/up',
      'dir/sub/back/..');
    const loopAt = fc.oneof(
      fc.constantFrom('loop1', 'loop2', 'self', 'chain0', 'chain2', 'dloop').map((l) => [l]),
      fc.constantFrom('work', 'to-work').map((w) => [w, 'wloop']),
    );
    let n = 0;
    fc.assert(
      fc.property(fc.array(detour, { maxLength: 8 }), loopAt, fc.constantFrom('', '/x', '/', '/..', '/./'), fc.constantFrom(...BASES), (pre, loop, rest, base) => {
        const raw = `/${[...pre, ...loop].join('/')}${rest}`;
        n++;
        assert.deepEqual(tr.resolve(raw, base, true, process.pid), { errno: ERRNO.ELOOP }, raw);
        // Not following the last component: a bare loop name is just a symlink, not an error.
        if (rest === '') {
          const r = tr.resolve(raw, base, false, process.pid);
          assert.ok(!('errno' in r) && r.guest.endsWith(`/${loop[loop.length - 1]}`), `${raw} (nofollow) → ${JSON.stringify(r)}`);
        }
      }),
      { numRuns: runs(3000) },
    );
    t.diagnostic(`runs: ${n}`);
  });
});

describe('Landlock rules derived from the same plan', () => {
  test('grant no read access at or below a hidden folder\'s real host location', () => {
    const ll = landlockPlan(plan, 7);
    const problems: string[] = [];
    for (const h of HIDDEN_REAL) {
      for (const g of ll.grants) {
        // A rule on an ancestor (or the folder itself) covers everything beneath it.
        if (isUnder(h.host, g.host) && (g.rights & (FS.READ_FILE | FS.EXECUTE)) !== 0n) {
          problems.push(`${h.guest} is really ${h.host}, but Landlock grants read/execute beneath ${g.host} (${g.reason})`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
