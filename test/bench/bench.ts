// The benchmark (`npm run bench`): one markdown table, measured in one run, comparing tsbox with
// strace -f and PRoot on the workloads of ARCHITECTURE.md. Every command is pinned to one CPU
// with taskset (unpinned, this VM pays ~45 µs per cross-CPU wakeup, which would dominate every
// ptrace stop); each cell is the median of N runs, the runs of one row interleaved across tools.
//
//   node dist/test/bench/bench.js [--runs N] [--quick] [--only stat,find,...] [--cpu N]
//                                 [--no-install] [--out FILE] [--timeout SECONDS]
//   env TSBOX_BENCH_BIN=path/to/bin/tsbox measures another build of tsbox (tsbox.cjs: through node).
//
// A tool that fails on a row shows the failure in its cell; the benchmark carries on.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { helper, repoRoot } from '../lib/helpers.js';
import { isRoot, tsboxBin, which } from '../lib/run.js';
import { debianRootfs } from '../lib/rootfs.js';
import { measureMemoryReads } from './memory-read.js';
import { PATH_SYSCALLS } from '../../runtime/handlers/path-table.js';
import { supervisorTraps } from '../../runtime/describe-runtime.js';
import { loadPolicySync } from '../../policy/load.js';
import { hostArch } from '../../arch/index.js';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  runs: number;
  quick: boolean;
  only: string[] | null;
  cpu: string;
  install: boolean;
  out: string;
  /** per-run limit in ms, 0: max(120 s, 300 × native) */
  timeoutMs: number;
}

function usage(msg?: string): never {
  if (msg) console.error(`bench: ${msg}`);
  console.error('usage: bench [--runs N] [--quick] [--only ID,ID…] [--cpu N] [--no-install] [--out FILE] [--timeout S]');
  console.error('  row ids: startup stat getpid forkexec find make memory memory4k report hidden rootfs landlock');
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    runs: 5,
    quick: false,
    only: null,
    cpu: '0',
    install: true,
    out: path.join(repoRoot(), 'test', 'bench', 'last-results.md'),
    timeoutMs: 0,
  };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--runs':
        o.runs = Number(value());
        runsGiven = true;
        if (!Number.isInteger(o.runs) || o.runs < 1) usage('--runs must be a positive integer');
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = value().split(',').filter(Boolean);
        break;
      case '--cpu':
        o.cpu = value();
        break;
      case '--timeout':
        o.timeoutMs = Number(value()) * 1000;
        if (!(o.timeoutMs > 0)) usage('--timeout takes seconds > 0');
        break;
      case '--no-install':
        o.install = false;
        break;
      case '--out':
        o.out = path.resolve(value());
        break;
      case '--help':
      case '-h':
        usage();
      default:
        usage(`unknown option ${a}`);
    }
  }
  if (o.quick && !runsGiven) o.runs = 1;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring one command

type Outcome = { ms: number } | { error: string };

interface Command {
  argv: string[];
  /** stdout must match this (else stdout goes to /dev/null). */
  expect?: RegExp;
  timeoutMs: number;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

function clip(s: string, n = 90): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

function measure(cmd: Command): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let ended = started;
    const child = spawn(cmd.argv[0]!, cmd.argv.slice(1), {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      stdio: ['ignore', cmd.expect ? 'pipe' : 'ignore', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => {
      if (stdout.length < 65536) stdout += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => {
      if (stderr.length < 8192) stderr += b.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, cmd.timeoutMs);
    child.on('exit', () => {
      ended = process.hrtime.bigint();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: clip(e.message) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(ended - started) / 1e6;
      const errLines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      const best = errLines.find((l) => /error|tsbox/i.test(l)) ?? errLines[0];
      const why = best ? `: ${best}` : '';
      if (timedOut) resolve({ error: `timeout after ${(cmd.timeoutMs / 1000).toFixed(0)} s` });
      else if (signal) resolve({ error: clip(`signal ${signal}${why}`) });
      else if (code !== 0) resolve({ error: clip(`exit ${code}${why}`) });
      else if (cmd.expect && !cmd.expect.test(stdout)) {
        resolve({ error: clip(`unexpected output: ${stdout.trim().split('\n')[0] ?? ''}${why}`) });
      } else resolve({ ms });
    });
  });
}

/** tsbox's extra start-up over native, from the start-up row (null when it was not measured). */
/** What a tool adds to native start-up (the start-up row), in ms; null if not measured. */
function startupExtraFor(results: Map<string, Results>, tool: Tool['id'] = 'tsbox'): number | null {
  const n = results.get('startup')?.get('native');
  const t = results.get('startup')?.get(tool);
  if (!n || !t || n.error || t.error || !n.ms.length || !t.ms.length) return null;
  return median(t.ms) - median(n.ms);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Workloads

interface Workload {
  id: string;
  label: string;
  /** argv with host paths (native, strace) */
  host: string[];
  /** argv with guest paths (PRoot and tsbox see the work folder at /work) */
  guest: string[];
  expect?: RegExp;
  /** untimed, before every run */
  prepare?: () => void;
  /** absolute times in every cell instead of ratios */
  absolute?: boolean;
  /** the command for the floors (test/helpers/floor-supervisor.c, test/bench/koffi-floor.ts) */
  floor?: string[];
}

const C_FILES = 7;

/** A small C project: C_FILES translation units sharing a header, linked into one program. */
function writeCProject(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const header = ['#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include <math.h>', ''];
  for (let i = 1; i < C_FILES; i++) header.push(`double unit${i}(int n);`);
  fs.writeFileSync(path.join(dir, 'common.h'), header.join('\n') + '\n');
  for (let i = 1; i < C_FILES; i++) {
    fs.writeFileSync(
      path.join(dir, `unit${i}.c`),
      `#include "common.h"
struct item${i} { int key; double value; char name[32]; };
static int cmp${i}(const void *a, const void *b) {
  const struct item${i} *x = a, *y = b;
  return (x->key > y->key) - (x->key < y->key);
}
double unit${i}(int n) {
  struct item${i} *items = calloc(n, sizeof *items);
  double sum = 0;
  for (int k = 0; k < n; k++) {
    items[k].key = (k * ${7919 * i}) % n;
    items[k].value = sqrt((double)k + ${i});
    snprintf(items[k].name, sizeof items[k].name, "item-%d-%d", ${i}, k);
  }
  qsort(items, n, sizeof *items, cmp${i});
  for (int k = 0; k < n; k++) sum += items[k].value * (double)strlen(items[k].name);
  free(items);
  return sum;
}
`,
    );
  }
  const calls = Array.from({ length: C_FILES - 1 }, (_, k) => `  total += unit${k + 1}(1000);`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'main.c'),
    `#include "common.h"\nint main(void) {\n  double total = 0;\n${calls}\n  printf("%f\\n", total);\n  return 0;\n}\n`,
  );
  const objs = ['main.o', ...Array.from({ length: C_FILES - 1 }, (_, k) => `unit${k + 1}.o`)].join(' ');
  fs.writeFileSync(
    path.join(dir, 'Makefile'),
    `CC = cc\nCFLAGS = -O2\nOBJS = ${objs}\n\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS) -lm\n\n%.o: %.c common.h\n\t$(CC) $(CFLAGS) -c $<\n\nclean:\n\trm -f prog $(OBJS)\n`,
  );
}

function cleanCProject(dir: string): void {
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.o') || f === 'prog') fs.rmSync(path.join(dir, f));
}

// ---------------------------------------------------------------------------------------------
// Tools (columns)

interface Tool {
  id: 'native' | 'strace' | 'proot' | 'tsbox' | 'floor' | 'jsfloor';
  label: string;
  /** null when usable, else why not */
  unavailable: string | null;
  /** null: the tool has nothing to run for this workload (its cell shows —) */
  argv(w: Workload): string[] | null;
}

function ensureProot(install: boolean): string | null {
  if (which('proot')) return null;
  if (!install) return 'not installed';
  if (!isRoot()) return 'not installed (not root)';
  console.error('bench: installing proot with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'proot'], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'proot'], { stdio: 'ignore', env });
  }
  return which('proot') ? null : 'apt-get install proot failed';
}

function firstLine(cmd: string, args: string[], re?: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (re) return re.exec(text)?.[0] ?? '?';
  return text.trim().split('\n')[0] ?? '?';
}

// ---------------------------------------------------------------------------------------------
// The table

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
function fmtRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}
function cellText(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

type Results = Map<string, { ms: number[]; error?: string }>;

/** NR:ARG,... for floor-supervisor: each syscall tsbox traps under POLICY, with its path argument. */
function floorTraps(policy: string): string {
  const arch = hostArch();
  const { trapped, trapOnlyIfSet } = supervisorTraps(loadPolicySync(policy));
  return trapped
    .filter((nr) => !trapOnlyIfSet.has(nr))
    .map((nr) => `${nr}:${PATH_SYSCALLS[arch.syscallName(nr)]?.args[0]?.path ?? -1}`)
    .join(',');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const counts = o.quick
    ? { stat: 20_000, getpid: 20_000, fork: 50, memory: 2_000 }
    : { stat: 200_000, getpid: 200_000, fork: 500, memory: 20_000 };

  // Pinning
  let pin: string[] = [];
  let pinNote: string;
  if (which('taskset')) {
    pin = ['taskset', '-c', o.cpu];
    pinNote = `pinned with \`taskset -c ${o.cpu}\``;
  } else pinNote = '**not pinned** (taskset missing)';

  // The work folder: the stat target and the C project, seen as /work by PRoot and tsbox.
  const tmp = fs.mkdtempSync(path.join('/tmp', 'tsbox-bench-'));
  fs.chmodSync(tmp, 0o755);
  const work = path.join(tmp, 'work');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'file'), 'stat me\n');
  writeCProject(path.join(work, 'cc'));
  const policyText = fs
    .readFileSync(path.join(repoRoot(), 'test', 'bench', 'policy.yaml'), 'utf8')
    .replaceAll('@WORK@', work);
  const policy = path.join(tmp, 'policy.yaml');
  fs.writeFileSync(policy, policyText);
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  process.on('exit', cleanup);

  const H = {
    statloop: helper('statloop'),
    getpidloop: helper('getpidloop'),
    forkexec: helper('forkexec'),
    floorSupervisor: helper('floor-supervisor'),
  };
  // The generic C floor traps what tsbox traps for this policy (test/helpers/floor-supervisor.c).
  // Calls tsbox traps only when an argument is set (sendto with an address) are left out: the
  // workloads make none, and leaving them out can only lower the floor.
  const traps = floorTraps(policy);
  const koffiFloor = path.join(repoRoot(), 'dist', 'test', 'bench', 'koffi-floor.js');
  const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : `${n}`);
  const workloads: Workload[] = [
    {
      id: 'startup', label: 'start-up: `/bin/true` (absolute times)', host: ['/bin/true'], guest: ['/bin/true'], absolute: true,
      floor: ['/bin/true'],
    },
    {
      id: 'stat',
      label: `${k(counts.stat)} stat() (statloop)`,
      host: [H.statloop, String(counts.stat), path.join(work, 'file')],
      guest: [H.statloop, String(counts.stat), '/work/file'],
      floor: [H.statloop, String(counts.stat), '/work/file'],
      expect: /statloop \d+ ok/,
    },
    {
      id: 'getpid',
      label: `${k(counts.getpid)} getpid() (not trapped)`,
      host: [H.getpidloop, String(counts.getpid)],
      guest: [H.getpidloop, String(counts.getpid)],
      floor: [H.getpidloop, String(counts.getpid)],
      expect: /getpidloop \d+ ok/,
    },
    {
      id: 'forkexec',
      label: `${counts.fork} fork+exec of /bin/true`,
      host: [H.forkexec, String(counts.fork), '/bin/true'],
      guest: [H.forkexec, String(counts.fork), '/bin/true'],
      floor: [H.forkexec, String(counts.fork), '/bin/true'],
      expect: /forkexec \d+ ok/,
    },
    {
      id: 'find',
      label: "`find /usr -name '*.h'`",
      host: ['find', '/usr', '-name', '*.h'],
      guest: ['find', '/usr', '-name', '*.h'],
      floor: ['find', '/usr', '-name', '*.h'],
    },
    {
      id: 'make',
      label: `\`make -j2\`, ${C_FILES} C files`,
      host: ['make', '-s', '-j2', '-C', path.join(work, 'cc')],
      guest: ['make', '-s', '-j2', '-C', '/work/cc'],
      // Host paths: the C floor translates no path (it only emulates stat through /work).
      floor: ['make', '-s', '-j2', '-C', path.join(work, 'cc')],
      prepare: () => cleanCProject(path.join(work, 'cc')),
    },
  ];

  // TSBOX_BENCH_BIN: another tsbox to measure (e.g. a second checkout), default this repo's.
  const tsboxJs = process.env.TSBOX_BENCH_BIN ? path.resolve(process.env.TSBOX_BENCH_BIN) : tsboxBin();
  // As users run it: bin/tsbox (a sh script); a .js or .cjs entry (TSBOX_BENCH_BIN) through node.
  const tsbox = [...(/\.c?js$/.test(tsboxJs) ? [process.execPath] : []), tsboxJs, 'run'];
  const tools: Tool[] = [
    { id: 'native', label: 'native', unavailable: null, argv: (w) => [...pin, ...w.host] },
    {
      id: 'strace',
      label: 'strace -f',
      unavailable: which('strace') ? null : 'not installed',
      argv: (w) => [...pin, 'strace', '-f', '-o', '/dev/null', ...w.host],
    },
    {
      id: 'proot',
      label: 'PRoot',
      unavailable: ensureProot(o.install),
      argv: (w) => [...pin, 'proot', '-b', `${work}:/work`, ...w.guest],
    },
    {
      id: 'tsbox',
      label: 'tsbox',
      unavailable:
        process.env.TSBOX_BENCH_BIN || fs.existsSync(path.join(repoRoot(), 'dist', 'runtime', 'cli.js'))
          ? null
          : 'not built (dist/runtime/cli.js missing)',
      argv: (w) => [...pin, ...tsbox, policy, '--', ...w.guest],
    },
    {
      // The same stops made in C: what this design costs without Node.js.
      id: 'floor',
      label: 'same stops in C⁵',
      unavailable: null,
      argv: (w) => (w.floor ? [...pin, H.floorSupervisor, traps, '/work', work, ...w.floor] : null),
    },
    {
      // The same stops from JavaScript, through tsbox's FFI layer and primitives only. Node.js
      // as bin/tsbox starts it: without the CA bundle (README, Performance).
      id: 'jsfloor',
      label: 'same stops in JS⁵',
      unavailable: null,
      argv: (w) => (w.floor ? [...pin, 'env', '-u', 'NODE_EXTRA_CA_CERTS', process.execPath, koffiFloor, traps, '/work', work, ...w.floor] : null),
    },
  ];

  // Machine
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const versions = [
    `strace ${firstLine('strace', ['-V'], /\d+\.\d+(\.\d+)?/)}`,
    which('proot') ? `PRoot ${firstLine('proot', ['--version'], /\d+\.\d+\.\d+/)} (${clip(firstLine('proot', ['--version'], /seccomp_filter = \w+/), 40)})` : 'PRoot n/a',
    `cc ${firstLine('cc', ['-dumpfullversion'])}`,
  ].join(', ');
  const machine = `Linux ${os.release()} · ${cpuModel} · ${os.cpus().length} CPUs · node ${process.version} · ${versions}`;
  const wanted = (id: string): boolean => !o.only || o.only.includes(id);
  console.error(`bench: ${machine}`);
  console.error(`bench: median of ${o.runs} run(s), ${pinNote}, work folder ${work}`);

  // Rows
  const results = new Map<string, Results>();
  for (const w of workloads) {
    if (!wanted(w.id)) continue;
    const row: Results = new Map();
    results.set(w.id, row);
    // Warm-up (page cache for find, the compiler's files for make), not measured.
    w.prepare?.();
    const warm = await measure({ argv: tools[0]!.argv(w)!, expect: w.expect, timeoutMs: 600_000, cwd: tmp });
    const nativeGuess = 'ms' in warm ? warm.ms : 1000;
    const timeoutMs = o.timeoutMs || Math.max(120_000, nativeGuess * 300);
    for (const t of tools) row.set(t.id, t.unavailable ? { ms: [], error: `n/a: ${t.unavailable}` } : { ms: [] });
    for (let r = 0; r < o.runs; r++) {
      for (const t of tools) {
        const cell = row.get(t.id)!;
        const argv = t.argv(w);
        if (cell.error || argv === null) continue;
        w.prepare?.();
        const res = await measure({ argv, expect: w.expect, timeoutMs, cwd: tmp });
        if ('ms' in res) cell.ms.push(res.ms);
        else cell.error = `FAIL: ${res.error}`;
        process.stderr.write(
          `bench: ${w.id.padEnd(8)} run ${r + 1}/${o.runs} ${t.id.padEnd(6)} ${'ms' in res ? fmtMs(res.ms) : res.error}\n`,
        );
      }
    }
  }

  // tsbox's memory access: the same trapped stat loop with PTRACE_PEEKDATA vs process_vm_readv.
  let memoryRow: string[] | null = null;
  const raw: string[] = [];
  for (const [id, row] of results) {
    for (const [tool, c] of row) if (c.ms.length) raw.push(`${id} ${tool}: ${c.ms.map((x) => x.toFixed(1)).join(', ')}`);
  }
  if (wanted('memory')) {
    const cells = { vm: [] as number[], peek: [] as number[], vmErr: '', peekErr: '' };
    const guest = [H.statloop, String(counts.memory), '/work/file'];
    const tsboxTool = tools.find((t) => t.id === 'tsbox')!;
    if (tsboxTool.unavailable) cells.vmErr = cells.peekErr = `n/a: ${tsboxTool.unavailable}`;
    for (let r = 0; r < o.runs; r++) {
      for (const mode of ['vm', 'peek'] as const) {
        const errKey = mode === 'vm' ? 'vmErr' : 'peekErr';
        if (cells[errKey]) continue;
        const argv = [...pin, ...tsbox, `--memory=${mode}`, policy, '--', ...guest];
        const res = await measure({ argv, expect: /statloop \d+ ok/, timeoutMs: o.timeoutMs || 600_000, cwd: tmp });
        if ('ms' in res) cells[mode].push(res.ms);
        else cells[errKey] = `FAIL: ${res.error}`;
        process.stderr.write(`bench: memory   run ${r + 1}/${o.runs} ${mode.padEnd(6)} ${'ms' in res ? fmtMs(res.ms) : res.error}\n`);
      }
    }
    const vm = cells.vmErr || `vm ${fmtMs(median(cells.vm))}`;
    const peek = cells.peekErr
      ? cells.peekErr
      : `peek ${fmtMs(median(cells.peek))}` + (cells.vmErr ? '' : ` = ${fmtRatio(median(cells.peek) / median(cells.vm))} vm`);
    raw.push(`memory vm: ${cells.vm.map((x) => x.toFixed(1)).join(', ') || cells.vmErr}`);
    raw.push(`memory peek: ${cells.peek.map((x) => x.toFixed(1)).join(', ') || cells.peekErr}`);
    memoryRow = [`${k(counts.memory)} stat(), tsbox \`--memory=peek\` vs \`--memory=vm\`²`, vm, '—', '—', peek, '—'];
  }

  // The same comparison isolated: 4 KiB reads of a stopped tracee's stack, one call vs word by word.
  let memory4kRow: string[] | null = null;
  if (wanted('memory4k')) {
    let cell: string;
    try {
      const m = measureMemoryReads();
      cell = `vm ${m.vm.toFixed(1)} µs, peek ${m.peek.toFixed(0)} µs = ${fmtRatio(m.peek / m.vm)}`;
      raw.push(`memory4k µs per read: vm ${m.vm.toFixed(2)}, peek ${m.peek.toFixed(1)}`);
    } catch (e) {
      cell = `FAIL: ${(e as Error).message}`;
    }
    memory4kRow = ['one 4 KiB read of tracee memory: `process_vm_readv` vs `PTRACE_PEEKDATA`', '—', '—', '—', cell, '—'];
  }

  /**
   * One tsbox setting measured against the same runs without it, interleaved (off, on, off, …):
   * the cell is the median with it over the median without it. `argv(mode)` builds a run,
   * `before` runs untimed before each one.
   */
  type Mode = 'off' | 'on';
  const onOffCell = async (
    id: string,
    run: { argv: (mode: Mode) => string[]; env?: (mode: Mode) => NodeJS.ProcessEnv; before?: () => void; expect?: RegExp },
  ): Promise<string> => {
    const cells = { off: [] as number[], on: [] as number[], err: '' };
    const tsboxTool = tools.find((t) => t.id === 'tsbox')!;
    if (tsboxTool.unavailable) cells.err = `n/a: ${tsboxTool.unavailable}`;
    for (let r = 0; r < o.runs && !cells.err; r++) {
      for (const mode of ['off', 'on'] as const) {
        run.before?.();
        const res = await measure({
          argv: [...pin, ...run.argv(mode)], expect: run.expect, timeoutMs: o.timeoutMs || 600_000, cwd: tmp, env: run.env?.(mode),
        });
        if ('ms' in res) cells[mode].push(res.ms);
        else cells.err = `FAIL: ${res.error}`;
        process.stderr.write(`bench: ${id.padEnd(8)} run ${r + 1}/${o.runs} ${mode.padEnd(6)} ${'ms' in res ? fmtMs(res.ms) : res.error}\n`);
      }
    }
    raw.push(`${id} off: ${cells.off.map((x) => x.toFixed(1)).join(', ') || cells.err}`);
    raw.push(`${id} on: ${cells.on.map((x) => x.toFixed(1)).join(', ') || cells.err}`);
    return cells.err || `${fmtRatio(median(cells.on) / median(cells.off))} (${fmtMs(median(cells.on))} vs ${fmtMs(median(cells.off))})`;
  };

  // ---- tsbox --report (issue 5): the make row's build with and without the run report.
  let reportRow: string[] | null = null;
  if (wanted('report')) {
    const build = ['make', '-s', '-j2', '-C', '/work/cc'];
    const reportFile = path.join(tmp, 'bench-report.json');
    const cell = await onOffCell('report', {
      argv: (mode) => [...tsbox, ...(mode === 'on' ? ['--report', reportFile] : []), policy, '--', ...build],
      before: () => cleanCProject(path.join(work, 'cc')),
    });
    reportRow = [`\`make -j2\` with \`--report\`, ratio to the same tsbox build without³`, '—', '—', '—', cell, '—'];
  }

  // ---- Listings with a hidden path that exists: then every getdents64 stops to be filtered
  // (a hidden path absent at start costs nothing). find /usr with and without one.
  let hiddenRow: string[] | null = null;
  if (wanted('hidden')) {
    fs.mkdirSync(path.join(work, 'secret'), { recursive: true });
    const hiddenPolicy = path.join(tmp, 'policy-hidden.yaml');
    fs.writeFileSync(hiddenPolicy, policyText.replace(/^paths:\n/m, 'paths:\n  - guest: /work/secret\n    access: none\n'));
    const find = ['find', '/usr', '-name', '*.h'];
    await measure({ argv: [...pin, ...find], timeoutMs: 600_000, cwd: tmp }); // warm-up: the page cache
    const cell = await onOffCell('hidden', { argv: (mode) => [...tsbox, mode === 'on' ? hiddenPolicy : policy, '--', ...find] });
    hiddenRow = ["`find /usr -name '*.h'` with a hidden path that exists, ratio to the same tsbox without⁶", '—', '—', '—', cell, '—'];
  }

  // ---- Inside a Debian rootfs (issue 3): tsbox `root:` against `proot -r` on the same folder.
  // Native runs the same work on the host: dpkg on the rootfs's database, find on its /usr, the
  // host's own sh and true for the exec loop.
  const rootfsRows: string[][] = [];
  if (wanted('rootfs')) {
    let rootfs: string | null = null;
    let why = '';
    try {
      rootfs = debianRootfs();
    } catch (e) {
      why = `n/a: ${(e as Error).message.slice(0, 80)}`;
    }
    const rootPolicy = path.join(tmp, 'rootfs-policy.yaml');
    if (rootfs) fs.writeFileSync(rootPolicy, `version: 1\nname: bench-rootfs\nroot: ${rootfs}\nlog: { level: warn }\n`);
    const loop = 'i=0; while [ $i -lt 500 ]; do /bin/true; i=$((i+1)); done';
    const rows: Array<{ id: string; label: string; native: string[]; guest: string[] }> = rootfs ? [
      { id: 'dpkg', label: 'rootfs: `dpkg -l`', native: ['dpkg', `--admindir=${rootfs}/var/lib/dpkg`, '-l'], guest: ['dpkg', '-l'] },
      { id: 'rfind', label: 'rootfs: `find /usr`', native: ['find', `${rootfs}/usr`], guest: ['find', '/usr'] },
      { id: 'execs', label: 'rootfs: shell loop of 500 execs', native: ['sh', '-c', loop], guest: ['sh', '-c', loop] },
    ] : [];
    const runners: Record<string, ((g: string[], n: string[]) => string[]) | null> = {
      native: (_g, n) => [...pin, ...n],
      proot: which('proot') ? (g) => [...pin, 'proot', '-r', rootfs!, '-b', '/proc', '-b', '/dev', '-b', '/sys', '-w', '/', ...g] : null,
      tsbox: (g) => [...pin, ...tsbox, rootPolicy, '--', ...g],
    };
    for (const row of rows) {
      const cells: Record<string, { ms: number[]; err: string }> = {};
      for (const id of Object.keys(runners)) cells[id] = { ms: [], err: runners[id] ? '' : 'n/a: not installed' };
      await measure({ argv: runners.native!(row.guest, row.native), timeoutMs: 600_000, cwd: '/' }); // warm-up
      for (let r = 0; r < o.runs; r++) {
        for (const [id, run] of Object.entries(runners)) {
          if (!run || cells[id]!.err) continue;
          const res = await measure({ argv: run(row.guest, row.native), timeoutMs: o.timeoutMs || 600_000, cwd: '/' });
          if ('ms' in res) cells[id]!.ms.push(res.ms);
          else cells[id]!.err = `FAIL: ${res.error}`;
          process.stderr.write(`bench: ${row.id.padEnd(8)} run ${r + 1}/${o.runs} ${id.padEnd(6)} ${'ms' in res ? fmtMs(res.ms) : res.error}\n`);
        }
      }
      for (const [id, c] of Object.entries(cells)) raw.push(`${row.id} ${id}: ${c.ms.map((x) => x.toFixed(1)).join(', ') || c.err}`);
      const nativeMs = cells.native!.ms.length ? median(cells.native!.ms) : null;
      const ratio = (id: string) => cells[id]!.err || (nativeMs === null || !cells[id]!.ms.length ? '—' : fmtRatio(median(cells[id]!.ms) / nativeMs));
      const rest = nativeMs !== null && startupExtraFor(results) !== null && cells.tsbox!.ms.length
        ? median(cells.tsbox!.ms) - startupExtraFor(results)! : null;
      const excl = rest === null || nativeMs === null ? '—' : rest > 0 ? fmtRatio(rest / nativeMs) : '~0 (below start-up noise)';
      rootfsRows.push([row.label, cells.native!.err || (nativeMs === null ? '—' : fmtMs(nativeMs)), '—', ratio('proot'), ratio('tsbox'), excl]);
    }
    if (!rootfs) rootfsRows.push(['rootfs rows', why, '—', '—', '—', '—']);
  }

  // ---- Landlock's cost (issue 4): the same tsbox runs with the ruleset installed and without
  // (TSBOX_LANDLOCK_MAX_ABI=0 with enforcement: best-effort).
  let landlockRow: string[] | null = null;
  if (wanted('landlock')) {
    const noLandlockPolicy = path.join(tmp, 'policy-best-effort.yaml');
    fs.writeFileSync(noLandlockPolicy, `${policyText}\nenforcement: best-effort\n`);
    const cell = await onOffCell('landlock', {
      argv: () => [...tsbox, noLandlockPolicy, '--', H.statloop, String(counts.memory), '/work/file'],
      env: (mode) => (mode === 'off' ? { ...process.env, TSBOX_LANDLOCK_MAX_ABI: '0' } : process.env),
      expect: /statloop \d+ ok/,
    });
    landlockRow = [`${k(counts.memory)} stat() with Landlock, ratio to the same run without⁴`, '—', '—', '—', cell, '—'];
  }

  // Render
  const header = ['workload', 'native', 'strace -f', 'PRoot', 'tsbox', 'tsbox excl. start-up¹', 'same stops in C⁵', 'same stops in JS⁵'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  /** One table line; cells past the row's own (the floor columns of most rows) show —. */
  const tableRow = (cells: string[]): string =>
    `| ${[...cells, ...Array<string>(Math.max(0, header.length - cells.length)).fill('—')].map(cellText).join(' | ')} |`;
  const startupExtra = startupExtraFor(results);
  for (const w of workloads) {
    const row = results.get(w.id);
    if (!row) continue;
    const native = row.get('native')!;
    const nativeMs = native.error || !native.ms.length ? null : median(native.ms);
    const cells = [w.label];
    const ratioCell = (t: Tool): string => {
      const c = row.get(t.id)!;
      if (c.error) return c.error;
      if (!c.ms.length) return '—';
      if (t.id === 'native' || w.absolute || nativeMs === null) return fmtMs(median(c.ms));
      return fmtRatio(median(c.ms) / nativeMs);
    };
    const floors = ['floor', 'jsfloor'];
    for (const t of tools) if (!floors.includes(t.id)) cells.push(ratioCell(t));
    const t = row.get('tsbox')!;
    if (w.absolute) cells.push(startupExtra === null ? '—' : `+${fmtMs(startupExtra)}`);
    else if (t.error || !t.ms.length || nativeMs === null || startupExtra === null) cells.push('—');
    else {
      const rest = median(t.ms) - startupExtra;
      cells.push(rest > 0 ? fmtRatio(rest / nativeMs) : '~0 (below start-up noise)');
    }
    // The floors without their own start-up, as the column before them, where it was measured.
    for (const id of floors) {
      const c = row.get(id)!;
      const extra = startupExtraFor(results, id as Tool['id']);
      if (w.absolute || c.error || !c.ms.length || nativeMs === null || extra === null) cells.push(ratioCell(tools.find((t) => t.id === id)!));
      else cells.push(fmtRatio(Math.max(median(c.ms) - extra, 0) / nativeMs));
    }
    lines.push(tableRow(cells));
  }
  if (memoryRow) lines.push(tableRow(memoryRow));
  if (memory4kRow) lines.push(tableRow(memory4kRow));
  if (hiddenRow) lines.push(tableRow(hiddenRow));
  if (reportRow) lines.push(tableRow(reportRow));
  for (const row of rootfsRows) lines.push(tableRow(row));
  if (landlockRow) lines.push(tableRow(landlockRow));

  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const doc = [
    `# tsbox benchmark`,
    '',
    `${when} · ${machine}`,
    '',
    `Median of ${o.runs} run(s)${o.quick ? ' (--quick: smaller counts)' : ''}, every command ${pinNote}. ` +
      'The native column is wall-clock time of the whole command; the other cells are the ' +
      'ratio of the median to the native median (lower is better). PRoot and tsbox see the work ' +
      'folder through a bind at `/work` (`proot -b`, `paths:` in test/bench/policy.yaml), so ' +
      'stat() of `/work/file` is translated; strace runs the host paths.',
    '',
    ...lines,
    '',
    '¹ tsbox minus its extra start-up (Node.js and the launch: the start-up row), divided by native.',
  ];
  if (memoryRow) {
    doc.push(
      '² Tracee memory access: the trapped stat loop reads each path with one `process_vm_readv` ' +
        '(`--memory=vm`) or word by word with `PTRACE_PEEKDATA` (`--memory=peek`, the fallback). ' +
        'Measured through the loop, not as isolated 4 KiB reads.',
    );
  }
  if (reportRow) {
    doc.push(
      '³ `tsbox run --report`: every path call also stops at its exit (to know whether it worked), ' +
        'socket/connect/bind/execve are trapped, kernel denials are traced to be counted, and the ' +
        'JSON report is written at the end. The cell is the median with it over the median without it.',
    );
  }
  if (rootfsRows.length) {
    doc.push(
      'Rows "rootfs:" run inside a Debian bookworm minbase rootfs (scripts/rootfs-debian.sh): tsbox with `root:`, ' +
        'PRoot as `proot -r ROOTFS -b /proc -b /dev -b /sys`; native does the same work on the host ' +
        '(`dpkg --admindir=ROOTFS/var/lib/dpkg -l`, `find ROOTFS/usr`, the host\'s sh and true).',
    );
  }
  if (landlockRow) {
    doc.push(
      '⁴ The bench policy with `enforcement: best-effort`, run as is (Landlock ruleset installed before exec) ' +
        'and with `TSBOX_LANDLOCK_MAX_ABI=0` (no ruleset). Median with over median without.',
    );
  }
  if ([...results.values()].some((row) => row.get('floor')?.ms.length)) {
    doc.push(
      '⁵ The least a supervisor of this design must do for the row, and nothing else: no policy, no path ' +
        'resolution, no state. test/helpers/floor-supervisor.c (C) and test/bench/koffi-floor.ts (Node.js, ' +
        'through tsbox\'s own FFI layer and primitives) trap exactly the syscalls tsbox traps for the bench ' +
        'policy, follow fork, clone and exec as tsbox does, read the path of each trapped call (GETREGS, ' +
        'process_vm_readv) and let it run (PTRACE_CONT); a stat() through /work is answered as tsbox answers it ' +
        '(stat of the host path, process_vm_writev of the result, SETREGS skipping the call). Nothing else is ' +
        'translated, so the make row runs them with host paths. C: the floor of the design on this machine; ' +
        'JS: the floor for a supervisor written in JavaScript. Like the column before them, both are shown ' +
        'without their own start-up (their cell in the start-up row) when that row was measured.',
    );
  }
  const benchHidden = '/root/.ssh'; // the `access: none` path of test/bench/policy.yaml
  const hiddenExists = (() => {
    try {
      fs.lstatSync(benchHidden);
      return true;
    } catch {
      return false;
    }
  })();
  doc.push(
    `⁶ The bench policy hides \`${benchHidden}\`, which ${hiddenExists ? 'exists' : 'does not exist'} on this machine: ` +
      (hiddenExists
        ? 'every listing (getdents64) in the rows above stopped to be filtered.'
        : 'no listing is trapped in the rows above (an absent hidden path has no name to cut).') +
      (hiddenRow ? ' The hidden-path row runs the find row with `/work/secret` (which exists) hidden as well, interleaved with runs without it.' : ''),
  );
  doc.push('', '<details><summary>Every run (ms)</summary>', '', '```', ...raw, '```', '', '</details>');
  const text = doc.join('\n') + '\n';
  process.stdout.write('\n' + text);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, text);
  console.error(`bench: written to ${o.out}`);
}

main().catch((e: unknown) => {
  console.error('bench: ' + (e instanceof Error ? e.stack : String(e)));
  process.exit(1);
});
