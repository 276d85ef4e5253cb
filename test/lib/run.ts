// Running programs from tests: natively, through the tsbox CLI, as the current user or as the
// unprivileged uid 65534. The sandbox is meant to be rootless, so when the tests run as root the
// 'unprivileged' user drops to 65534 with util-linux setpriv; when they already run as an
// ordinary user they run as-is.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './helpers.js';

export const UNPRIVILEGED_UID = 65534;
export const UNPRIVILEGED_GID = 65534;

/** 'self': whoever runs the tests. 'unprivileged': uid/gid 65534 when root, else self. */
export type User = 'self' | 'unprivileged';

export interface RunOptions {
  user?: User;
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (stdin is always a pipe). */
  input?: string | Buffer;
  /** Kill the child's whole process group after this long (default 120 s); sets timedOut. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

const MAX_OUTPUT = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function isCI(): boolean {
  const ci = process.env.CI;
  return !!ci && ci !== 'false' && ci !== '0';
}

/** The first executable named `name` on PATH (or in /usr/bin, /bin), or null. */
export function which(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean).concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * Whether 'unprivileged' runs can really be unprivileged here: always when not root; as root
 * only with setpriv.
 */
export function unprivilegedSupport(): { ok: true; via: 'setpriv' | 'already-unprivileged' } | { ok: false; reason: string } {
  if (!isRoot()) return { ok: true, via: 'already-unprivileged' };
  if (which('setpriv')) return { ok: true, via: 'setpriv' };
  return { ok: false, reason: 'running as root and setpriv (util-linux) is missing: cannot drop to uid 65534' };
}

/**
 * For node:test's `skip` option on tests that must run unprivileged:
 * `test('…', { skip: skipUnlessUnprivileged() }, …)`. Returns false (run it) or the reason to
 * skip. Under CI=true a missing setpriv is an error, never a silent skip.
 */
export function skipUnlessUnprivileged(): string | false {
  const s = unprivilegedSupport();
  if (s.ok) return false;
  if (isCI()) throw new Error(`CI: the unprivileged tests must not be skipped: ${s.reason}`);
  return s.reason;
}

/** The command line that runs `cmd args` as `user` (prefixing setpriv when root drops to 65534). */
export function commandFor(cmd: string, args: string[], user: User = 'self'): [string, string[]] {
  if (user === 'self' || !isRoot()) return [cmd, args];
  const setpriv = which('setpriv');
  if (!setpriv) throw new Error('running as root and setpriv (util-linux) is missing: cannot run as uid 65534');
  return [
    setpriv,
    [`--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_GID}`, '--clear-groups', '--', cmd, ...args],
  ];
}

const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Runs `cmd args` to completion and collects its output. The child gets its own process group,
 * so a timeout kills everything it started. Never rejects for a failing command: check `code`.
 */
export function runAs(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, argv] = commandFor(cmd, args, opts.user ?? 'self');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout.on('data', (b: Buffer) => {
      if ((outLen += b.length) <= MAX_OUTPUT) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if ((errLen += b.length) <= MAX_OUTPUT) err.push(b);
    });
    child.stdin.on('error', () => {}); // EPIPE when the child does not read its input
    child.stdin.end(opts.input ?? '');
    if (child.pid !== undefined) live.add(child.pid);

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    child.on('error', (e) => {
      clearTimeout(timer);
      if (child.pid !== undefined) live.delete(child.pid);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) live.delete(child.pid);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** A plain run without the sandbox, for comparing against sandboxed output. */
export function runNative(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAs(cmd, args, opts);
}

/** <repo>/bin/tsbox: the `tsbox` command as npm installs it (a sh script that starts Node.js). */
export function tsboxBin(): string {
  return path.join(repoRoot(), 'bin', 'tsbox');
}

/** `<repo>/bin/tsbox ARGS…`, e.g. runTsbox(['run', policy, '--', 'true']). */
export function runTsbox(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAs(tsboxBin(), args, opts);
}

const tmpDirs: string[] = [];
process.on('exit', () => {
  if (process.env.TSBOX_TEST_KEEP) return;
  for (const dir of tmpDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});

/**
 * A fresh folder under /tmp (mode 0755), removed when the process exits (unless TSBOX_TEST_KEEP
 * is set). With forUser 'unprivileged' and root, it is owned by 65534 so the sandboxed program
 * can write in it.
 */
export function makeTmpDir(opts: { forUser?: User; prefix?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join('/tmp', opts.prefix ?? 'tsbox-test-'));
  tmpDirs.push(dir);
  fs.chmodSync(dir, 0o755);
  if (opts.forUser === 'unprivileged' && isRoot()) fs.chownSync(dir, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
  return dir;
}

let policyCount = 0;
/**
 * Writes `yamlText` to a new policy file (mode 0644, readable by the unprivileged user) and
 * returns its path. Without `dir`, a fresh temp folder holds it. Relative host paths in a policy
 * resolve against the policy file's folder, so pass `dir` when the policy refers to files there.
 */
export function tmpPolicy(yamlText: string, dir?: string): string {
  const folder = dir ?? makeTmpDir({ prefix: 'tsbox-policy-' });
  const file = path.join(folder, `policy-${process.pid}-${++policyCount}.yaml`);
  fs.writeFileSync(file, yamlText, { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  return file;
}
