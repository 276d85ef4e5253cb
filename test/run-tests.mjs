#!/usr/bin/env node
// `npm test` entry (after tsc): runs node:test over dist/test/**/*.test.js (the benchmark
// excluded), one file at a time by default because the ptrace tests are timing-sensitive on a
// 2-core machine. Passes node's exit status through, and fails when no test actually ran.
//
//   node test/run-tests.mjs [FILTER…] [--node-test-option…]
//     FILTER    keep only test files whose path contains it (e.g. `harness`, `policy/`)
//     --…       passed to `node --test` (e.g. --test-name-pattern=paths)
//   env: TSBOX_TEST_CONCURRENCY (default 1), TSBOX_TEST_TIMEOUT_MS per test (default 300000),
//        As root, scripts/ensure-tools.sh installs the tools the tests need (strace, proot, gcc…).
//        CI=true: the unprivileged tests may not be skipped.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distTest = path.join(repo, 'dist', 'test');
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const isRoot = process.getuid?.() === 0;

function fail(msg) {
  console.error(`run-tests: ${msg}`);
  process.exit(1);
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function collect(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== path.join(distTest, 'bench')) collect(p, out);
    } else if (e.isFile() && e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));

if (!fs.existsSync(distTest)) fail(`${distTest} does not exist: run \`npx tsc -p tsconfig.json\` first (npm test does)`);
const files = collect(distTest)
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => path.relative(distTest, f).includes(x)));
if (files.length === 0) fail(`no test files found under ${distTest}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);

// As root (CI, or a fresh machine) the project installs what its tests need itself.
if (isRoot) {
  const r = spawnSync('sh', [path.join(repo, 'scripts', 'ensure-tools.sh')], { stdio: 'inherit' });
  if (r.status !== 0) fail('scripts/ensure-tools.sh failed');
}
if (ci) {
  if (isRoot && !hasCommand('setpriv')) {
    fail('CI: running as root without setpriv (util-linux): the unprivileged tests would be skipped. Install util-linux.');
  }
}

// node:test options that appeared during Node 20's life.
const [major, minor] = process.versions.node.split('.').map(Number);
const atLeast = (M, m) => major > M || (major === M && minor >= m);
const concurrency = process.env.TSBOX_TEST_CONCURRENCY ?? '1';
const tapFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsbox-tap-')), 'results.tap');
const args = ['--test'];
if (atLeast(20, 10)) args.push(`--test-concurrency=${concurrency}`);
if (atLeast(20, 11)) args.push(`--test-timeout=${process.env.TSBOX_TEST_TIMEOUT_MS ?? '300000'}`);
args.push('--test-reporter=spec', '--test-reporter-destination=stdout');
args.push('--test-reporter=tap', `--test-reporter-destination=${tapFile}`);
args.push(...passThrough, ...files);

const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: repo });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', (code, signal) => {
  let tap = '';
  try {
    tap = fs.readFileSync(tapFile, 'utf8');
  } catch {
    /* no report: node failed before running anything */
  }
  fs.rmSync(path.dirname(tapFile), { recursive: true, force: true });
  const count = (key) => Number(tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  const tests = count('tests');
  const ran = tests - count('skipped') - count('todo');
  if (signal) fail(`node --test died of ${signal}`);
  if (code !== 0) process.exit(code ?? 1);
  if (ran <= 0) fail(`no test ran (${tests} found, all skipped or todo): refusing to report success`);
  console.error(`run-tests: ${ran} tests ran in ${files.length} files (concurrency ${concurrency})`);
  process.exit(0);
});
