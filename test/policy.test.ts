// The policy loader and compiler, without any process: every class of user error gets a
// file:line:column message with the key and a suggestion; valid policies compile to the Plan
// the runtime expects.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { hostArch, ERRNO } from '../arch/index.js';
import { describePlan } from '../policy/describe.js';
import { PolicyError } from '../policy/errors.js';
import { policyJsonSchema } from '../policy/json-schema.js';
import { loadPolicy, loadPolicySync } from '../policy/load.js';
import type { Plan } from '../policy/plan.js';
import { didYouMean, nearest } from '../policy/suggest.js';
import { parseDuration, parseSize } from '../policy/units.js';

// dist/test/policy.test.js → the repository root is two levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sys = hostArch().syscalls;

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'tsbox-policy-')));
  made.push(d);
  return d;
}

/** Writes `src` as policy.yaml in a fresh folder and returns the file's absolute path. */
function writePolicy(src: string, dir = tempDir()): string {
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, src);
  return file;
}

function load(src: string): Plan {
  return loadPolicySync(writePolicy(src));
}

/** Loads a policy that must fail; returns the error and its formatted lines. */
function fails(src: string, dir?: string): { err: PolicyError; file: string; lines: string[] } {
  const file = writePolicy(src, dir);
  try {
    loadPolicySync(file);
  } catch (err) {
    assert.ok(err instanceof PolicyError, `expected a PolicyError, got ${String(err)}`);
    const text = err.format();
    assert.doesNotMatch(text, /\n\s+at /, 'no stack trace in a policy error');
    return { err, file, lines: text.split('\n') };
  }
  assert.fail('the policy loaded but should have been refused');
}

/** Asserts one formatted line equals `${file}:${rest}` exactly. */
function hasLine(r: { file: string; lines: string[] }, rest: string): void {
  assert.ok(r.lines.includes(`${r.file}:${rest}`), `missing line\n  ${r.file}:${rest}\ngot\n  ${r.lines.join('\n  ')}`);
}

// ---- error classes ------------------------------------------------------------------------

test('an empty file (or one with only comments) is refused', () => {
  hasLine(fails(''), '1:1: the policy file is empty — a policy starts with "version: 1"');
  hasLine(fails('# nothing here\n'), '1:1: the policy file is empty — a policy starts with "version: 1"');
});

test('bad YAML syntax reports yaml\'s own position', () => {
  const r = fails('version: 1\npaths: [a, b\nnetwork: none\n');
  assert.equal(r.err.diagnostics.length, 1);
  const d = r.err.diagnostics[0]!;
  assert.equal(d.line, 3);
  assert.equal(d.column, 1);
  assert.match(d.message, /^YAML syntax error: /);
});

test('duplicate YAML keys are errors, at the second key', () => {
  const r = fails('version: 1\nname: a\nnetwork: none\nname: b\n');
  hasLine(r, '4:1: duplicate key "name" — each key may appear once in a mapping; merge the two');
});

test('missing and wrong version', () => {
  hasLine(fails('name: x\n'), '1:1: version: missing required key "version" — add "version: 1" as the first line');
  hasLine(fails('version: 2\n'), '1:10: version: unsupported policy version 2 — this tsbox reads version: 1');
  hasLine(fails('version: "1"\n'), '1:10: version: unsupported policy version "1" — write version: 1 (a number, not a string)');
});

test('unknown keys suggest the nearest valid key, or list the valid ones', () => {
  const r = fails('version: 1\npaths:\n  - guest: /x\n    acess: ro\nnetwrok: none\nbogus: 1\n');
  hasLine(r, '4:5: paths[0].acess: unknown key "acess" — did you mean "access"?');
  hasLine(r, '5:1: netwrok: unknown key "netwrok" — did you mean "network"?');
  const bogus = r.err.diagnostics.find((d) => d.path === 'bogus');
  assert.ok(bogus);
  assert.equal(bogus.line, 6);
  assert.match(bogus.hint, /^valid keys here: version, name, root, .*log$/);
});

test('unknown keys inside flow mappings and nested objects', () => {
  const r = fails('version: 1\nsyscalls:\n  deny:\n    - syscall: socket\n      args: [{ index: 0, op: ne, valeu: 1 }]\n');
  hasLine(r, '5:34: syscalls.deny[0].args[0].valeu: unknown key "valeu" — did you mean "value"?');
  hasLine(fails('version: 1\nlimits: { timout: 1m }\n'), '2:11: limits.timout: unknown key "timout" — did you mean "timeout"?');
});

test('wrong types say what was expected and what was found', () => {
  const r = fails('version: 1\npaths: /work\nlog: { denials: yes }\nsyscalls:\n  deny:\n    - syscall: 5\n');
  hasLine(r, '2:8: paths: expected a list, got the string "/work"');
  hasLine(r, '3:17: log.denials: expected true or false, got the string "yes" — YAML 1.2 reads yes/no/on/off as text; write true or false');
  hasLine(r, '6:16: syscalls.deny[0].syscall: expected a string or a list, got the number 5');
  hasLine(fails('version: 1\npaths:\n'), '2:1: paths: expected a list, got an empty value — give it a value, or remove the key');
  hasLine(fails('version: 1\nprocess:\n  env:\n    set: { "A=B": 1 }\n'), '4:12: process.env.set["A=B"]: "A=B" is not an environment variable name — names cannot contain "=" or NUL');
  hasLine(fails('- version: 1\n'), '1:1: a policy is a mapping of keys (version: 1, paths: …), not a single value or a list');
});

test('enum values suggest the nearest option', () => {
  const r = fails('version: 1\nnetwork: nothing\npaths:\n  - { guest: /x, access: r }\n');
  hasLine(r, '2:10: network: invalid value "nothing" — expected one of: none, host');
  hasLine(r, '4:26: paths[0].access: invalid value "r" — did you mean "rw" or "ro"?');
});

test('unknown syscall names suggest the nearest known one', () => {
  const r = fails('version: 1\nsyscalls:\n  deny:\n    - syscall: opnat\n    - syscall: [mount, umont2]\n  remap:\n    - { syscall: getuidd, return: 0 }\n');
  hasLine(r, '4:16: syscalls.deny[0].syscall: unknown syscall "opnat" — did you mean "openat"?');
  hasLine(r, '5:24: syscalls.deny[1].syscall[1]: unknown syscall "umont2" — did you mean "umount2"?');
  hasLine(r, '7:18: syscalls.remap[0].syscall: unknown syscall "getuidd" — did you mean "getuid"?');
  const far = fails('version: 1\nsyscalls: { default: deny, errno: EPERM, allow: [zzzzzzzzzz] }\n');
  assert.match(far.lines[0]!, /syscalls\.allow\[0\]: unknown syscall "zzzzzzzzzz" — no syscall of that name on x86_64$/);
});

test('unknown errno names suggest the nearest known one', () => {
  const r = fails('version: 1\nsyscalls:\n  deny:\n    - syscall: mount\n      errno: EPRM\n  remap:\n    - { syscall: unlink, errno: eacces }\n');
  hasLine(r, '5:14: syscalls.deny[0].errno: unknown errno name "EPRM" — did you mean "EPERM"?');
  hasLine(r, '7:33: syscalls.remap[0].errno: unknown errno name "eacces" — did you mean "EACCES"?');
});

test('errno is required with default: deny and refused otherwise', () => {
  hasLine(fails('version: 1\nsyscalls:\n  default: deny\n'), '3:3: syscalls.errno: default: deny needs an errno for the calls it refuses — add errno: EPERM (or ENOSYS)');
  hasLine(fails('version: 1\nsyscalls:\n  errno: EPERM\n'), '3:10: syscalls.errno: "errno" only applies with default: deny — remove it; each deny rule has its own errno');
  const empty = fails('version: 1\nsyscalls:\n  default: deny\n  errno:\n');
  hasLine(empty, '4:3: syscalls.errno: the value is empty — write an errno name such as EPERM or EACCES');
});

test('argument conditions: constants, masks, paths only in remaps', () => {
  const r = fails(
    'version: 1\nsyscalls:\n  deny:\n    - syscall: socket\n      args:\n' +
      '        - { index: 0, op: ne, value: AF_UNX }\n' +
      '        - { index: 1, op: masked_eq, value: 1 }\n' +
      '        - { index: 9, op: eq, value: 1 }\n' +
      '        - { index: 2, op: eq, value: "/etc/passwd" }\n',
  );
  hasLine(r, '6:38: syscalls.deny[0].args[0].value: unknown constant "AF_UNX" — did you mean "AF_UNIX"?');
  hasLine(r, '7:11: syscalls.deny[0].args[1].mask: op masked_eq needs a "mask" — add mask: <bits>; the test is (arg & mask) == value');
  hasLine(r, '8:20: syscalls.deny[0].args[2].index: the number 9 is out of range: must be ≤ 5');
  hasLine(r, '9:38: syscalls.deny[0].args[3].value: the kernel filter cannot compare paths — path conditions are only possible under syscalls.remap');
  const p = fails('version: 1\nsyscalls:\n  remap:\n    - syscall: unlink\n      args: [{ index: 0, op: lt, value: /x }]\n      errno: EPERM\n');
  hasLine(p, '5:30: syscalls.remap[0].args[0].op: a path can only be compared with eq or ne (not lt)');
});

test('a remap needs exactly one of return and errno', () => {
  const r = fails('version: 1\nsyscalls:\n  remap:\n    - syscall: getuid\n    - { syscall: getgid, return: 0, errno: EPERM }\n');
  hasLine(r, '4:7: syscalls.remap[0]: a remap needs exactly one of "return" and "errno" — add return: 0, or errno: EPERM');
  hasLine(r, '5:7: syscalls.remap[1]: a remap needs exactly one of "return" and "errno" — keep only one of them');
});

test('guest paths must be absolute', () => {
  hasLine(fails('version: 1\npaths:\n  - guest: work\n'), '3:12: paths[0].guest: guest path "work" is not absolute — write it from the guest\'s "/", e.g. "/work"');
  hasLine(fails('version: 1\nprocess: { cwd: src }\n'), '2:17: process.cwd: guest path "src" is not absolute — write it from the guest\'s "/", e.g. "/src"');
});

test('a missing host path is reported against the policy folder, not the cwd', () => {
  const dir = tempDir();
  const r = fails('version: 1\npaths:\n  - guest: /work\n    host: ./nope\n', dir);
  hasLine(r, `4:11: paths[0].host: host path "./nope" does not exist (looked for ${join(dir, 'nope')}) — relative host paths are relative to the policy file's folder (${dir})`);
  const tilde = fails('version: 1\npaths:\n  - { guest: /k, host: ~/.ssh }\n');
  assert.match(tilde.lines[0]!, /— "~" is not expanded; write the full path$/);
});

test('a missing root folder, and a root that is a file', () => {
  const dir = tempDir();
  hasLine(fails('version: 1\nroot: rootfs\n', dir), `2:7: root: root folder "rootfs" does not exist (looked for ${join(dir, 'rootfs')}) — relative host paths are relative to the policy file's folder (${dir})`);
  writeFileSync(join(dir, 'afile'), 'x');
  const r = fails('version: 1\nroot: afile\n', dir);
  assert.match(r.lines[0]!, /2:7: root: host path "afile" is not a folder/);
});

test('duplicate guest paths, also after normalization', () => {
  const r = fails('version: 1\npaths:\n  - { guest: /work, access: ro }\n  - { guest: /work/./, access: rw }\n');
  hasLine(r, `4:14: paths[1].guest: duplicate guest path "/work" (first at ${r.file}:3:5) — keep one entry per guest path`);
});

test('several errors are all reported, in file order', () => {
  const r = fails('version: 1\nnetwork: nope\npaths:\n  - { guest: rel, acess: ro }\n');
  assert.deepEqual(
    r.err.diagnostics.map((d) => [d.line, d.path]),
    [
      [2, 'network'],
      [4, 'paths[0].guest'],
      [4, 'paths[0].acess'],
    ],
  );
});

test('an unreadable policy file is a PolicyError too', async () => {
  const missing = join(tempDir(), 'nope.yaml');
  await assert.rejects(loadPolicy(missing), (e: unknown) => e instanceof PolicyError && e.format() === `${missing}: cannot read the policy file: no such file`);
});

// ---- compile ------------------------------------------------------------------------------

test('relative host paths resolve against the policy folder, whatever the cwd', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'project'));
  mkdirSync(join(dir, 'elsewhere', 'project'), { recursive: true });
  const file = writePolicy('version: 1\npaths:\n  - { guest: /work/, host: project }\n  - { guest: /up, host: .. }\n', dir);
  const before = process.cwd();
  try {
    process.chdir(join(dir, 'elsewhere')); // holds a decoy "project" folder
    const plan = loadPolicySync(relative(process.cwd(), file));
    const work = plan.paths.find((p) => p.guest === '/work');
    assert.equal(work?.host, join(dir, 'project'));
    assert.equal(work?.bind, true);
    assert.equal(plan.paths.find((p) => p.guest === '/up')?.host, dirname(dir));
    assert.equal(plan.policyFile, file);
  } finally {
    process.chdir(before);
  }
});

test('symlinked host paths are realpathed; guest paths are normalized lexically', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'real'));
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const plan = loadPolicySync(writePolicy('version: 1\npaths:\n  - { guest: "/a//b/../c/.", host: link/ }\n', dir));
  assert.deepEqual(plan.paths, [{ guest: '/a/c', host: join(dir, 'real'), bind: true, access: 'rw', source: `${join(dir, 'policy.yaml')}:3:5` }]);
});

test('paths are sorted longest guest first; access defaults to rw; rule-only host equals guest', () => {
  const plan = load('version: 1\npaths:\n  - { guest: /, access: ro }\n  - { guest: /root/.ssh, access: none }\n  - { guest: /root }\n  - { guest: /usr/lib, access: ro }\n');
  assert.deepEqual(
    plan.paths.map((p) => [p.guest, p.host, p.bind, p.access]),
    [
      ['/root/.ssh', '/root/.ssh', false, 'none'],
      ['/usr/lib', '/usr/lib', false, 'ro'],
      ['/root', '/root', false, 'rw'],
      ['/', '/', false, 'ro'],
    ],
  );
});

test('syscall names become numbers for this arch; errno names become numbers', () => {
  const plan = load(
    'version: 1\nsyscalls:\n  deny:\n    - syscall: [mount, umount2]\n    - syscall: kexec_file_load\n      action: kill\n' +
      '    - syscall: openat\n      args: [{ index: 2, op: masked_eq, mask: O_WRONLY|O_RDWR, value: 0x1 }, { index: 0, op: eq, value: -100 }]\n      errno: EROFS\n',
  );
  const [d0, d1, d2] = plan.syscalls.deny;
  assert.deepEqual(d0?.syscalls, [
    { name: 'mount', nr: sys.mount },
    { name: 'umount2', nr: sys.umount2 },
  ]);
  assert.deepEqual(d0?.action, { kind: 'errno', errno: ERRNO.EPERM, errnoName: 'EPERM' }); // the default errno
  assert.deepEqual(d1?.action, { kind: 'kill' });
  assert.deepEqual(d2?.args, [
    { index: 2, op: 'masked_eq', value: '1', mask: '3' },
    { index: 0, op: 'eq', value: (2n ** 64n - 100n).toString() },
  ]);
  assert.deepEqual(d2?.action, { kind: 'errno', errno: 30, errnoName: 'EROFS' });
  assert.equal(plan.syscalls.default, 'allow');
  assert.equal(plan.syscalls.defaultErrno, null);
});

test('default: deny keeps the allow list and its errno', () => {
  const plan = load('version: 1\nsyscalls: { default: deny, errno: ENOSYS, allow: [read, write, exit_group] }\n');
  assert.equal(plan.syscalls.default, 'deny');
  assert.equal(plan.syscalls.defaultErrno, ERRNO.ENOSYS);
  assert.deepEqual(plan.syscalls.allow.map((s) => s.nr), [sys.read, sys.write, sys.exit_group]);
});

test('remaps: return values, errnos, scalar and path conditions', () => {
  const plan = load(
    'version: 1\nsyscalls:\n  remap:\n    - { syscall: [chown, fchown], return: 0 }\n' +
      '    - syscall: unlink\n      args: [{ index: 0, op: eq, value: "/work/../work/keep-me" }]\n      errno: EACCES\n' +
      '    - syscall: socket\n      args: [{ index: 0, op: eq, value: AF_INET6 }]\n      errno: EAFNOSUPPORT\n',
  );
  const [r0, r1, r2] = plan.syscalls.remap;
  assert.deepEqual(r0?.result, { kind: 'return', value: 0 });
  assert.equal(r0?.origin, 'policy');
  assert.deepEqual(r1?.args, [{ kind: 'path', index: 0, op: 'eq', path: '/work/keep-me' }]);
  assert.deepEqual(r1?.result, { kind: 'errno', errno: ERRNO.EACCES, errnoName: 'EACCES' });
  assert.deepEqual(r2?.args, [{ kind: 'scalar', index: 0, op: 'eq', value: '10' }]);
});

test('identity expands into remaps after the user\'s own, and stays in the plan', () => {
  const plan = load('version: 1\nsyscalls:\n  remap:\n    - { syscall: chown, errno: EPERM }\nidentity: { uid: 1000, gid: 100 }\n');
  assert.deepEqual(plan.identity, { uid: 1000, gid: 100 });
  const [user, ...rest] = plan.syscalls.remap;
  assert.equal(user?.origin, 'policy');
  assert.ok(rest.every((r) => r.origin === 'identity' && r.args.length === 0));
  const result = (name: string) => rest.find((r) => r.syscalls.some((s) => s.name === name))?.result;
  assert.deepEqual(result('getuid'), { kind: 'return', value: 1000 });
  assert.deepEqual(result('geteuid'), { kind: 'return', value: 1000 });
  assert.deepEqual(result('getgid'), { kind: 'return', value: 100 });
  assert.deepEqual(result('getegid'), { kind: 'return', value: 100 });
  for (const name of ['chown', 'fchown', 'lchown', 'fchownat', 'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups', 'getgroups']) {
    assert.deepEqual(result(name), { kind: 'return', value: 0 }, name);
  }
  assert.deepEqual(result('setfsuid'), { kind: 'return', value: 1000 });
  assert.deepEqual(result('setfsgid'), { kind: 'return', value: 100 });
  for (const r of rest) for (const s of r.syscalls) assert.equal(s.nr, sys[s.name]);
  assert.equal(result('getresuid'), undefined, 'getresuid writes memory: the runtime handles it');
  assert.match(rest[0]!.source, /policy\.yaml:5:11$/);
  assert.equal(load('version: 1\n').identity, null);
});

test('network: none appends kernel denials after the user\'s rules', () => {
  const plan = load('version: 1\nnetwork: none\nsyscalls:\n  deny:\n    - syscall: mount\n');
  const [user, sockets, uring] = plan.syscalls.deny;
  assert.deepEqual(user?.syscalls.map((s) => s.name), ['mount']);
  assert.deepEqual(sockets?.syscalls, [
    { name: 'socket', nr: sys.socket },
    { name: 'socketpair', nr: sys.socketpair },
  ]);
  assert.deepEqual(sockets?.args, [{ index: 0, op: 'ne', value: '1' }]);
  assert.deepEqual(sockets?.action, { kind: 'errno', errno: ERRNO.EACCES, errnoName: 'EACCES' });
  assert.deepEqual(uring?.syscalls, [{ name: 'io_uring_setup', nr: sys.io_uring_setup }]);
  assert.deepEqual(uring?.action, { kind: 'errno', errno: ERRNO.EPERM, errnoName: 'EPERM' });
  assert.match(sockets!.source, /policy\.yaml:2:10 \(network: none\)$/);
  assert.equal(plan.network, 'none');
  const open = load('version: 1\n');
  assert.equal(open.network, 'host');
  assert.deepEqual(open.syscalls.deny, []);
});

test('limits are parsed to milliseconds, bytes and counts', () => {
  const plan = load('version: 1\nlimits: { timeout: 1h30m, memory: 2GiB, processes: 256, open_files: 1024, cpu: 10m }\n');
  assert.deepEqual(plan.limits, { timeoutMs: 5_400_000, memoryBytes: 2 * 1024 ** 3, processes: 256, openFiles: 1024, cpuSeconds: 600 });
  assert.deepEqual(load('version: 1\nlimits: { timeout: 30, memory: 1048576 }\n').limits, { timeoutMs: 30_000, memoryBytes: 1048576 });
  assert.deepEqual(load('version: 1\n').limits, {});
  const bad = fails('version: 1\nlimits: { timeout: 10x, memory: 2GiBs, cpu: 1.5s }\n');
  hasLine(bad, '2:20: limits.timeout: "10x" is not a duration — write e.g. 30s, 10m, 1h30m, or a number of seconds');
  hasLine(bad, '2:33: limits.memory: "2GiBs" is not a size — write e.g. 512MiB, 2GiB, or a number of bytes');
  hasLine(bad, '2:45: limits.cpu: RLIMIT_CPU counts whole seconds — round it to a whole number of seconds');
});

test('units', () => {
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h 30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration(1.5), 1500);
  assert.equal(parseDuration('m10'), null);
  assert.equal(parseSize('512MiB'), 512 * 1024 ** 2);
  assert.equal(parseSize('2g'), 2 * 1024 ** 3);
  assert.equal(parseSize('1GB'), 1e9);
  assert.equal(parseSize('12 parsecs'), null);
});

test('defaults: name from the file, process, log, digest', () => {
  const dir = tempDir();
  const file = join(dir, 'my-build.yml');
  const src = 'version: 1\nprocess:\n  args: [sleep, 10]\n  env: { set: { A: 1 }, unset: [TOKEN] }\n';
  writeFileSync(file, src);
  const plan = loadPolicySync(file);
  assert.equal(plan.name, 'my-build');
  assert.equal(plan.policyDigest, createHash('sha256').update(src).digest('hex'));
  assert.deepEqual(plan.process, { args: ['sleep', '10'], cwd: null, env: { clear: false, set: { A: '1' }, unset: ['TOKEN'] } });
  assert.deepEqual(plan.log, { level: 'info', denials: false });
  assert.equal(plan.root, null);
  assert.equal(load('version: 1\nname: given\n').name, 'given');
});

test('root resolves against the policy folder', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'rootfs'));
  assert.equal(loadPolicySync(writePolicy('version: 1\nroot: ./rootfs/\n', dir)).root, join(dir, 'rootfs'));
});

test('the plan survives structured clone (it is posted to the supervisor Worker)', () => {
  const plan = loadPolicySync(join(repoRoot, 'examples', 'ci-build.yaml'));
  assert.deepEqual(structuredClone(plan), plan);
});

// ---- examples, JSON Schema, describe ------------------------------------------------------

test('every example loads', async () => {
  const dir = join(repoRoot, 'examples');
  // dev-rootfs.yaml names folders the user creates first (its comment says how); test/rootfs.test.ts
  // and test/run-examples.test.ts load it next to them.
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'dev-rootfs.yaml');
  for (const f of ['hello.yaml', 'fake-root.yaml', 'ci-build.yaml']) assert.ok(files.includes(f), f);
  for (const f of files) {
    const plan = await loadPolicy(join(dir, f));
    assert.equal(plan.version, 1, f);
  }
  const ci = loadPolicySync(join(dir, 'ci-build.yaml'));
  assert.equal(ci.paths.find((p) => p.guest === '/work')?.host, repoRoot);
  assert.equal(ci.network, 'none');
  const hello = loadPolicySync(join(dir, 'hello.yaml'));
  assert.deepEqual(hello.paths.find((p) => p.guest === '/work'), { guest: '/work', host: dir, bind: true, access: 'ro', source: `${join(dir, 'hello.yaml')}:11:5` });
  assert.deepEqual(loadPolicySync(join(dir, 'fake-root.yaml')).identity, { uid: 0, gid: 0 });
});

test('the JSON Schema is strict and carries the enums', () => {
  const s = policyJsonSchema() as any;
  assert.equal(s.additionalProperties, false);
  assert.deepEqual(s.required, ['version']);
  assert.equal(s.properties.version.const, 1);
  const entry = s.properties.paths.items;
  assert.equal(entry.additionalProperties, false);
  assert.deepEqual(entry.properties.access.enum, ['rw', 'ro', 'none']);
  assert.ok(s.properties.syscalls.properties.deny.items.properties.errno.enum.includes('EPERM'));
  JSON.stringify(s); // serializable
});

test('describePlan says which mechanism enforces each rule', () => {
  const lines = describePlan(loadPolicySync(join(repoRoot, 'examples', 'ci-build.yaml')));
  const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `no line matches ${re}\n${lines.join('\n')}`);
  has(/^kernel \(seccomp BPF\): mount, umount2, .* → errno EPERM/);
  has(/^kernel \(seccomp BPF\): kexec_file_load → kill the process/);
  has(/^kernel \(seccomp BPF\): socket, socketpair when arg0 != AF_UNIX\(1\) → errno EACCES .*network: none/);
  has(/^supervisor path translation: \/work → .* \(rw\)/);
  has(/^supervisor path translation: \/root\/\.ssh hidden/);
  has(/timeout 30m/);
  const fake = describePlan(loadPolicySync(join(repoRoot, 'examples', 'fake-root.yaml')));
  assert.ok(fake.some((l) => /^supervisor \(one stop, syscall skipped\): getuid, geteuid → return 0 \(identity\)/.test(l)));
});

test('suggestions stay plausible', () => {
  assert.equal(nearest('acess', ['access', 'guest', 'host']), 'access');
  assert.equal(nearest('foo', ['log', 'name']), undefined);
  assert.equal(nearest('EPRM', Object.keys(ERRNO)), 'EPERM');
  assert.equal(didYouMean('clone4', Object.keys(sys)), 'did you mean "clone" or "clone3"?');
});
