// Property-based fuzzing of the policy loader (fast-check): whatever bytes a policy file holds,
// compilePolicySource returns a Plan or throws a PolicyError whose every line is
// `file[:line:column]: …`, never another exception (which the CLI would print as a stack trace).
// Inputs: random text and bytes, YAML token soup, structurally valid YAML with values and keys
// near the schema (right types, wrong types, near-miss names), and random edits of valid
// policies. Then the CLI on a handful of bad files: exit 125, no stack trace.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify as yamlStringify } from 'yaml';
import { PolicyError } from '../policy/errors.js';
import { compilePolicySource } from '../policy/load.js';
import { makeTmpDir, runTsbox } from './lib/run.js';

// A fixed seed by default, so that CI runs the same inputs every time (a run that finds a new
// counterexample should not decide whether unrelated work lands); FUZZ_SEED=random explores.
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261204);
fc.configureGlobal({ seed: SEED });

/** Every line of a PolicyError: `file: …` or `file:line:column: …` (file has no ":" here). */
const LINE = /^[^:]+(:\d+:\d+)?: /;
// FUZZ_RUNS scales every property (e.g. FUZZ_RUNS=10 for a long local run).
const SCALE = Number(process.env.FUZZ_RUNS ?? '1');
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const dir = makeTmpDir({ prefix: 'tsbox-fuzz-policy-' });
for (const d of ['rootfs', 'data', 'rootfs/usr']) fs.mkdirSync(path.join(dir, d), { recursive: true });
fs.writeFileSync(path.join(dir, 'file'), 'x\n');
const FILE = path.join(dir, 'fuzz.yaml');

interface Outcome {
  plans: number;
  errors: number;
}

/**
 * The property itself: a Plan, or a PolicyError (and, with `lines`, one whose every line is
 * `file[:line:column]: …`). Anything else fails the run.
 */
function check(input: string | Uint8Array, seen: Outcome, lines = true): void {
  let plan;
  try {
    plan = compilePolicySource(input, FILE);
  } catch (e) {
    if (!(e instanceof PolicyError)) {
      const err = e as Error;
      throw new Error(`not a PolicyError but ${err?.constructor?.name}: ${err?.stack ?? String(e)}`);
    }
    assert.ok(e.diagnostics.length > 0, 'a PolicyError without diagnostics');
    if (lines) for (const line of e.message.split('\n')) {
      assert.match(line, LINE, `a message line is not "file:line:column: …": ${JSON.stringify(line)}`);
    }
    seen.errors++;
    return;
  }
  assert.equal(plan.version, 1);
  assert.ok(Array.isArray(plan.paths) && typeof plan.syscalls === 'object', 'a Plan without its parts');
  seen.plans++;
}

function property(input: fc.Arbitrary<string | Uint8Array>, numRuns: number, lines = true): Outcome {
  const seen: Outcome = { plans: 0, errors: 0 };
  fc.assert(fc.property(input, (text) => check(text, seen, lines)), { numRuns });
  return seen;
}

// ---- generators -----------------------------------------------------------------------------

const TOP_KEYS = ['version', 'name', 'root', 'process', 'paths', 'syscalls', 'identity', 'network', 'enforcement', 'limits', 'log'];
const NESTED_KEYS = ['args', 'cwd', 'env', 'clear', 'set', 'unset', 'guest', 'host', 'access', 'default', 'errno', 'allow',
  'deny', 'remap', 'syscall', 'index', 'op', 'value', 'mask', 'action', 'return', 'uid', 'gid', 'timeout', 'memory',
  'processes', 'open_files', 'cpu', 'level', 'denials'];
const WORDS = ['rw', 'ro', 'none', 'host', 'strict', 'best-effort', 'allow', 'deny', 'errno', 'kill', 'eq', 'ne', 'lt',
  'masked_eq', 'EPERM', 'EACCES', 'ENOSYS', 'EPREM', 'openat', 'opnat', 'socket', 'clone', 'AF_UNIX', 'AF_INET',
  'CLONE_NEWUSER', 'O_WRONLY|O_CREAT', 'O_NOPE|O_CREAT', '0x10', '0xffffffffffffffff', '0x1ffffffffffffffff', '-1',
  '10m', '1h30m', '500ms', '0s', '-5s', '2GiB', '1GB', '2g', '0', '1e400', 'info', 'trace', 'loud', '/', '/work', '//x/../y',
  'work', '.', '..', './rootfs', 'rootfs', 'data', 'file', 'missing', '/proc', '', ' ', 'yes', 'no', 'on', '~', 'null',
  'true', 'false', '.nan', '.inf', '-.inf', '0o17', '1_000', '\u0000', 'a\nb', 'ü', '\u202e', '"quoted"', "it's", '#', ':'];

/** A near miss of a known name: case change, a letter dropped, doubled, or swapped. */
const nearMiss = (names: string[]) =>
  fc.tuple(fc.constantFrom(...names), fc.nat(), fc.constantFrom('drop', 'double', 'upper', 'swap', 'space', 'same')).map(([n, i, how]) => {
    const k = n.length === 0 ? 0 : i % n.length;
    switch (how) {
      case 'drop': return n.slice(0, k) + n.slice(k + 1);
      case 'double': return n.slice(0, k) + n[k] + n.slice(k);
      case 'upper': return n.toUpperCase();
      case 'swap': return k + 1 < n.length ? n.slice(0, k) + n[k + 1] + n[k] + n.slice(k + 2) : n;
      case 'space': return `${n} `;
      default: return n;
    }
  });

const anyKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TOP_KEYS, ...NESTED_KEYS) },
  { weight: 2, arbitrary: nearMiss([...TOP_KEYS, ...NESTED_KEYS]) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: nearMiss(WORDS.filter((w) => w.length > 1)) },
  { weight: 2, arbitrary: fc.integer({ min: -10, max: 1 << 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 5, 6, -0, 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 64, 1e308, 0.5) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** Any YAML-representable value, shallow enough that the parser never nears the stack limit. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(anyKey, tie('v'), { maxKeys: 4 }) },
  ),
})).v;

/**
 * A policy object with the schema's structure. With `wrong`, any leaf may be a value of another
 * type or a near-miss word, and unknown keys are sprinkled in; without, every leaf is a valid
 * value (so many of these compile to a Plan, which shows the generator stays near the schema).
 */
function policyObject(wrong: boolean): fc.Arbitrary<Record<string, unknown>> {
  const maybe = <T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    wrong ? fc.oneof({ weight: 3, arbitrary: right as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: anyValue }) : right;
  /** `good` words always; `bad` ones (near misses, wrong enums) only when generating wrong input. */
  const word = (good: unknown[], bad: unknown[] = []) => maybe(fc.constantFrom(...good, ...(wrong ? bad : [])));
  const guestPath = word(['/work', '/data', '/etc/secret', '/a/../b', '/work/', '/x//y/.'], ['/', 'relative', '/x\u0000y', '']);
  const hostPath = word(['.', './rootfs', 'data', 'file', '/tmp', './rootfs/usr'], ['missing', '', '/nonexistent/x']);
  const rootPath = word(['./rootfs', 'rootfs'], ['file', 'missing', '.']);
  const syscall = word(['openat', 'mount', 'socket', 'getuid', 'clone', 'unlink', 'execve'], ['opnat', 'OPENAT', 'open at', 42]);
  const errno = word(['EPERM', 'EACCES', 'ENOSYS', 'ENOENT'], ['EPREM', 'eperm', 1]);
  const value = word([0, 1, 'AF_UNIX', 'O_WRONLY|O_CREAT', '0x10', 'CLONE_NEWUSER', 2 ** 32], ['O_NOPE', '0x1ffffffffffffffff', -1, 1.5, '/work']);
  const argCond = fc.oneof(
    fc.record({ index: word([0, 1, 2, 5], [-1, 6, 1.5]), op: word(['eq', 'ne', 'lt', 'le', 'gt', 'ge'], ['like', 'masked_eq']), value }),
    fc.record({ index: word([0, 1, 2, 5], [-1, 6]), op: word(['masked_eq'], ['eq']), value, mask: value }),
  );
  const remapArg = fc.oneof(argCond, fc.record({ index: word([0, 1]), op: word(['eq', 'ne'], ['lt']), value: word(['/work/keep', '/a'], ['relative']) }));
  const list = <T>(a: fc.Arbitrary<T>, max: number) => maybe(fc.array(a, { maxLength: max }));
  const syscalls = fc.oneof(syscall, fc.array(syscall, { minLength: 1, maxLength: 3 }));
  const allowRules = fc.record(
    {
      default: word(['allow']),
      deny: list(fc.record({ syscall: syscalls, args: list(argCond, 3), errno, action: word(['errno'], ['trap', 'kill']) }, { requiredKeys: ['syscall'] }), 3),
      remap: list(fc.oneof(
        fc.record({ syscall: syscalls, args: list(remapArg, 2), return: word([0, 1, 5, 4096], [-1, -4095, 0.5]) }),
        fc.record({ syscall: syscalls, args: list(remapArg, 2), errno }),
      ), 3),
    },
    { requiredKeys: [] },
  );
  const denyDefault = fc.record({ default: word(['deny']), errno, allow: list(syscall, 3) }, { requiredKeys: wrong ? [] : ['default', 'errno'] });
  const obj = fc.record(
    {
      version: wrong ? fc.oneof({ weight: 4, arbitrary: fc.constant<unknown>(1) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(2, '1', null) }) : fc.constant(1),
      name: word(['ci', 'build x', 'ü']),
      root: rootPath,
      process: maybe(fc.record({
        args: list(word(['make', '-j2', 3]), 3),
        cwd: guestPath,
        env: maybe(fc.record({
          clear: maybe(fc.boolean()),
          set: maybe(fc.dictionary(fc.constantFrom('LANG', 'X_Y', ...(wrong ? ['A=B', '', 'a\nb'] : [])), word(['C.UTF-8', 1, true, '']), { maxKeys: 3 })),
          unset: list(word(['NPM_TOKEN', 'AWS_SECRET_ACCESS_KEY'], ['X=Y', '']), 3),
        }, { requiredKeys: [] })),
      }, { requiredKeys: [] })),
      paths: list(fc.oneof(
        fc.record({ guest: guestPath, host: hostPath, access: word(['rw', 'ro'], ['none', 'rx']) }, { requiredKeys: ['guest'] }),
        fc.record({ guest: guestPath, access: word(['none', 'ro', 'rw'], ['hidden']) }, { requiredKeys: ['guest'] }),
      ), 4),
      syscalls: maybe(fc.oneof(allowRules, denyDefault)),
      identity: maybe(fc.record({ uid: word([0, 1000, 65534], [-1, 2 ** 32, 1.5]), gid: word([0, 1000], [-1]) })),
      network: word(['none', 'host'], ['off']),
      enforcement: word(['strict', 'best-effort'], ['lax']),
      limits: maybe(fc.record({
        timeout: word(['10m', 30, '1h30m', '500ms'], ['0s', -1, 'soon']),
        memory: word(['2GiB', '1GB', 4096, '2g'], [0, 'lots']),
        processes: word([1, 256], [0, 1.5]),
        open_files: word([1024], [-3]),
        cpu: word(['600s', 10, '1m'], ['1.5s']),
      }, { requiredKeys: [] })),
      log: maybe(fc.record({ level: word(['info', 'trace', 'silent'], ['loud']), denials: maybe(fc.boolean()) }, { requiredKeys: [] })),
    },
    { requiredKeys: ['version'] },
  );
  if (!wrong) return obj;
  return fc.tuple(obj, fc.dictionary(anyKey, anyValue, { maxKeys: 1 })).map(([p, extra]) => ({ ...p, ...extra }));
}

const render = (obj: unknown, how: 'yaml' | 'json' | 'flow'): string => {
  try {
    if (how === 'json') return JSON.stringify(obj) ?? 'null';
    return yamlStringify(obj, how === 'flow' ? { collectionStyle: 'flow' } : {});
  } catch {
    return String(obj);
  }
};
const renderings = fc.constantFrom<'yaml' | 'json' | 'flow'>('yaml', 'json', 'flow');
const validish = fc.tuple(policyObject(false), renderings).map(([o, how]) => render(o, how));
const nearSchema = fc.tuple(policyObject(true), renderings).map(([o, how]) => render(o, how));
const rendered = fc.oneof(validish, nearSchema);

const VALID = [
  'version: 1\n',
  'version: 1\nname: t\nnetwork: none\npaths:\n  - { guest: /work, host: ., access: rw }\n  - { guest: /root/.ssh, access: none }\n',
  'version: 1\nroot: ./rootfs\npaths:\n  - guest: /data\n    host: data\n    access: ro\nidentity: { uid: 0, gid: 0 }\n',
  'version: 1\nsyscalls:\n  deny:\n    - syscall: [mount, umount2]\n      errno: EPERM\n    - syscall: socket\n      args: [{ index: 0, op: ne, value: AF_UNIX }]\n      errno: EACCES\n  remap:\n    - syscall: getuid\n      return: 0\n    - syscall: unlink\n      args: [{ index: 0, op: eq, value: "/work/keep" }]\n      errno: EACCES\nlimits: { timeout: 10m, memory: 2GiB, processes: 256, open_files: 1024, cpu: 600s }\nlog: { level: info, denials: true }\n',
  'version: 1\nsyscalls:\n  default: deny\n  errno: ENOSYS\n  allow: [read, write, exit_group]\nprocess:\n  args: [make, -j2]\n  cwd: /\n  env: { clear: true, set: { LANG: C.UTF-8, N: 1 }, unset: [NPM_TOKEN] }\nenforcement: best-effort\n',
];

/** A valid policy with random edits: insertions of YAML-significant text, deletions, replacements. */
const edited = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(':', '-', ' ', '  ', '\t', '\n', '[', ']', '{', '}', '"', "'", '&a ', '*a', '!!str ', '!!binary ', '? ', '|', '>', '#', '---\n', '...\n', '%YAML 1.1\n', '<<: ', ',', '\u0000', '\ufeff', 'version: 1\n', 'é')),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const [at, op, s] of edits) {
      const i = t.length === 0 ? 0 : at % (t.length + 1);
      t = op === 'insert' ? t.slice(0, i) + s + t.slice(i) : op === 'delete' ? t.slice(0, i) + t.slice(i + 1 + (at % 5)) : t.slice(0, i) + s + t.slice(i + s.length);
    }
    return t;
  });

const TOKENS = ['version', '1', ':', ': ', '- ', '\n', '  ', '\t', '[', ']', '{', '}', ',', '"', "'", '&x ', '*x', '!!map ', '!tag ',
  '? ', '|\n', '>-\n', '# c\n', '---\n', '...', '%TAG ! tag:x,2000:\n', '<<', 'paths', 'guest', '/work', 'access', 'none', 'null', '~',
  '0x1f', '1e9', '-', 'syscalls', 'deny', 'openat', '\\', '\r\n', '\u2028', '\ufeff', '\u0000', 'ÿ', '😀'];
/** YAML-flavoured token soup (short enough that nesting stays far from the parser's stack limit). */
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((ts) => ts.join(''));

// ---- the properties -------------------------------------------------------------------------

const SHARP: Array<string | Uint8Array> = [
  '', ' ', '\n', '---', '...', '~', 'null', '[]', '{}', '"x"', '1', 'version: 1', 'version: 1\n---\nversion: 1\n',
  'version: 1\nversion: 1\n', '\ufeffversion: 1\n', 'version: 1\r\nname: crlf\r\n', 'version:\t1\n',
  'a: &a [*a]\n', 'version: 1\nname: *nope\n', 'version: 1\nname: !!binary aGk=\n', 'version: 1\n? [a, b]\n: c\n',
  `version: 1\nx: &a [${'*a,'.repeat(50)}]\n`, // alias fan-out
  `l0: &l0 [x, x]\n${Array.from({ length: 12 }, (_, i) => `l${i + 1}: &l${i + 1} [*l${i}, *l${i}]`).join('\n')}\nversion: 1\n`, // billion laughs
  'version: 1\n"a\\nb": 1\n', 'version: 1\n"a: b": 1\n', 'version: 1\npaths:\n  - { guest: "/a\\nb", access: none }\n',
  'version: 1\npaths:\n  - { guest: "a\\nb", access: none }\n',
  'version: 1\nname: "\\ud800"\n', 'version: 1\nprocess: { env: { set: { "A\\nB": 1 } } }\n',
  'version: 1\nsyscalls: { deny: [{ syscall: "open\\nat" }] }\n', 'version: 1\nlimits: { timeout: "1\\n0m" }\n',
  'version: 1\nsyscalls: { deny: [{ syscall: mount, errno: "EPERM\\nX" }] }\n',
  `version: 1\nname: ${'x'.repeat(100_000)}\n`, `version: 1\npaths:\n${'  - { guest: /a, access: ro }\n'.repeat(200)}`,
  new Uint8Array([0xff, 0xfe, 0x00]), new Uint8Array([0xef, 0xbb, 0xbf, 0x76, 0x3a, 0x31]),
  // Found by the properties below: YAML errors whose message carries lines of the source.
  '? - # c\n',
  // A mapping where an enum belongs, with a key that String() trips over (was a TypeError).
  'version: 1\npaths:\n  - guest: rw\n    access:\n      toString: rw\n',
  'version: 1\nnetwork: { valueOf: 1, toString: 2 }\n',
  'version: 1\nsyscalls:\n  deny:\n    - syscall: [mount, umount2]\n      errno: EPERM\n    - syscall: socket\n      args: [{ index: 0, op: ne, value: AF_UNIX }]\n      errno: EACCES\n?   remap:\n    - syscall: getuid\n      return: 0\n    - syscall: unlink\n      args: [{ index: 0, op: eq, value: "/work/keep" }]\n      errno: EACCES\n',
];

const GENERATORS: Array<[string, fc.Arbitrary<string | Uint8Array>, number]> = [
  ['random printable text', fc.string({ maxLength: 300 }), 2000],
  ['random full-unicode text (lone surrogates included)', fc.string({ unit: 'binary', maxLength: 200 }), 1000],
  ['random bytes', fc.uint8Array({ maxLength: 300 }), 1000],
  ['YAML token soup', tokenSoup, 3000],
  ['policies with the schema\'s structure and valid leaves', validish, 2000],
  ['policies with the schema\'s structure, wrong types, near-miss names and unknown keys', nearSchema, 4000],
  ['valid policies with random edits', edited, 3000],
];

describe('fuzz: the policy loader returns a Plan or throws a PolicyError, nothing else', () => {
  for (const [name, gen, n] of GENERATORS) {
    test(name, (t) => {
      const s = property(gen, runs(n), false);
      t.diagnostic(`runs: ${runs(n)}; plans ${s.plans}, errors ${s.errors}`);
      if (gen === validish) assert.ok(s.plans > 0, 'the generator never produced a valid policy: it explores too far from the schema');
    });
  }

  test('known sharp inputs', () => {
    const seen: Outcome = { plans: 0, errors: 0 };
    for (const input of SHARP) check(input, seen, false);
  });
});

describe('fuzz: every line of a PolicyError is "file[:line:column]: …"', () => {
  for (const [name, gen, n] of GENERATORS) {
    test(name, (t) => {
      const s = property(gen, runs(n));
      t.diagnostic(`runs: ${runs(n)}; plans ${s.plans}, errors ${s.errors}`);
    });
  }

  test('known sharp inputs', () => {
    const failures: string[] = [];
    for (const input of SHARP) {
      try {
        check(input, { plans: 0, errors: 0 });
      } catch (e) {
        failures.push(`${JSON.stringify(String(input).slice(0, 80))}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(failures, [], `inputs whose messages break the one-line-per-problem format:\n${failures.join('\n')}`);
  });
});

// The `yaml` parser recurses once per nesting level: a few thousand unclosed brackets overflow
// the stack. The loader then reports "Maximum call stack size exceeded" as a YAML error, which
// is fine for the CLI (one policy per process). In-process fuzzing stays below that depth: after
// such an overflow this Node (20) process can abort in V8's regexp compiler on a later input.

describe('fuzz: the CLI on bad policy files', () => {
  test('tsbox check (and run) exit 125 with file:line:column messages and no stack trace', async (t) => {
    const bad: Array<string | Uint8Array> = [
      '', 'version: 2\n', 'version: 1\npaths: [{ guest: relative }]\n', 'version: 1\n"a\\nb": 1\n',
      '['.repeat(5000) + ']'.repeat(5000), // deeper than the parser's stack
      `a: ${'['.repeat(3000)}`, new Uint8Array([0x76, 0xff, 0xfe, 0x3a]), // not UTF-8
    ];
    // And a few from the generators that the loader refuses.
    const sampled = fc.sample(fc.oneof(rendered, edited, tokenSoup), { numRuns: 200, seed: 4242 }).filter((text) => {
      try {
        compilePolicySource(text, FILE);
        return false;
      } catch {
        return true;
      }
    });
    bad.push(...sampled.slice(0, 8));
    let n = 0;
    for (const content of bad) {
      const file = path.join(dir, `bad-${++n}.yaml`);
      fs.writeFileSync(file, content);
      for (const args of n <= 3 ? [['check', file], ['run', file, '--', 'true']] : [['check', file]]) {
        const r = await runTsbox(args, { timeoutMs: 60_000 });
        const what = `tsbox ${args[0]} on ${JSON.stringify(String(content).slice(0, 120))}: code=${r.code} stderr=${JSON.stringify(r.stderr.slice(0, 1500))}`;
        assert.equal(r.code, 125, what);
        assert.doesNotMatch(r.stderr, /^\s{4}at /m, `a stack trace: ${what}`);
        assert.ok(r.stderr.trim().length > 0, what);
      }
    }
    t.diagnostic(`${n} bad files through the CLI`);
  });
});
