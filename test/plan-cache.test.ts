// The plan cache (policy/plan-cache.ts): a policy is compiled once, reused while its bytes and
// every host path it names stay the same, and loaded anew the moment one of them changes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { PolicyError } from '../policy/errors.js';
import { loadPolicyCached } from '../policy/plan-cache.js';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbox-plan-cache-'));
  process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
  for (const d of ['a', 'b']) fs.mkdirSync(path.join(dir, d));
  fs.symlinkSync('a', path.join(dir, 'project')); // the policy binds ./project, a symlink
  const policy = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policy, 'version: 1\npaths:\n  - guest: /work\n    host: ./project\n');
  const entries = () => (fs.existsSync(path.join(dir, 'cache', 'tsbox', 'plans')) ? fs.readdirSync(path.join(dir, 'cache', 'tsbox', 'plans')).length : 0);
  return { dir, policy, entries };
}

test('a plan is stored once and reused for the same bytes', async () => {
  const { dir, policy, entries } = setup();
  const first = await loadPolicyCached(policy);
  assert.equal(entries(), 1);
  assert.equal(first.paths[0]!.host, path.join(fs.realpathSync(dir), 'a'));
  assert.deepEqual(await loadPolicyCached(policy), first);
  assert.equal(entries(), 1);
  fs.appendFileSync(policy, 'network: none\n'); // new bytes: compiled anew, replacing the entry
  assert.equal((await loadPolicyCached(policy)).network, 'none');
  assert.equal(entries(), 1);
  fs.writeFileSync(policy, fs.readFileSync(policy, 'latin1').replace('network: none\n', ''), 'latin1');
  assert.notEqual((await loadPolicyCached(policy)).network, 'none'); // the old bytes again: not the newer plan
});

test('a host path that now resolves elsewhere, or is gone, is not served from the cache', async () => {
  const { dir, policy } = setup();
  await loadPolicyCached(policy);
  fs.rmSync(path.join(dir, 'project'));
  fs.symlinkSync('b', path.join(dir, 'project'));
  assert.equal((await loadPolicyCached(policy)).paths[0]!.host, path.join(fs.realpathSync(dir), 'b'));
  fs.rmSync(path.join(dir, 'b'), { recursive: true });
  await assert.rejects(loadPolicyCached(policy), (e: unknown) => e instanceof PolicyError && /host path "\.\/project" does not exist/.test(e.message));
});
