// Compiles the C helper programs in test/helpers/ on demand and caches the binaries outside the
// repository. A binary's name carries a hash of its source and flags, so an edited helper is
// rebuilt and an unchanged one never is. When running as root the cache must also be usable by
// uid 65534 (the unprivileged test user), so it lives in /var/tmp with 0755 folders.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C programs in test/helpers/ (file name without `.c`). */
export const HELPER_NAMES = ['statloop', 'getpidloop', 'forkexec', 'threads', 'pathcalls', 'getcwd', 'listdir'] as const;
export type HelperName = (typeof HELPER_NAMES)[number];

const CC = process.env.CC ?? 'cc';
const CFLAGS = ['-O2', '-Wall', '-pthread'];

let root: string | undefined;
/** The repository root: the nearest folder above this file whose package.json is tsbox's. */
export function repoRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'tsbox') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the tsbox repository root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Where test/helpers/NAME.c lives. */
export function helperSource(name: string): string {
  return path.join(repoRoot(), 'test', 'helpers', `${name}.c`);
}

/** Creates `dir` (and parents) if needed; as root, insists on a root-owned, 0755 folder. */
function ensureDir(dir: string, shared: boolean): void {
  fs.mkdirSync(dir, { recursive: true, mode: shared ? 0o755 : 0o700 });
  if (!shared) return;
  const st = fs.lstatSync(dir);
  // /var/tmp is world-writable: never run binaries from a folder someone else could control.
  if (!st.isDirectory() || st.uid !== 0) {
    throw new Error(`helper cache ${dir} is not a root-owned folder; remove it or set TSBOX_TEST_CACHE`);
  }
  fs.chmodSync(dir, 0o755);
}

/** The folder holding compiled helpers (created on first use). TSBOX_TEST_CACHE overrides it. */
export function helpersCacheDir(): string {
  const asRoot = process.getuid?.() === 0;
  let dir: string;
  if (process.env.TSBOX_TEST_CACHE) dir = path.resolve(process.env.TSBOX_TEST_CACHE, 'helpers');
  else if (asRoot) dir = '/var/tmp/tsbox-test-cache/helpers';
  else {
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    dir = path.join(cache, 'tsbox-test', 'helpers');
  }
  if (asRoot) {
    // Every folder we create on the way must be traversable by uid 65534.
    ensureDir(path.dirname(dir), true);
    ensureDir(dir, true);
  } else ensureDir(dir, false);
  return dir;
}

const built = new Map<string, string>();

/**
 * The absolute path of the compiled helper NAME (test/helpers/NAME.c), compiling it with
 * `cc -O2` if the cached binary is missing or its source changed. Throws with the compiler's
 * output on failure.
 */
export function helper(name: string): string {
  const known = built.get(name);
  if (known) return known;
  const src = helperSource(name);
  if (!fs.existsSync(src)) throw new Error(`no helper source ${src} (known: ${HELPER_NAMES.join(', ')})`);
  const hash = createHash('sha256')
    .update(fs.readFileSync(src))
    .update('\0' + CC + '\0' + CFLAGS.join(' ') + '\0' + process.arch)
    .digest('hex')
    .slice(0, 16);
  const dir = helpersCacheDir();
  const bin = path.join(dir, `${name}-${hash}`);
  if (!fs.existsSync(bin)) {
    // Compile to a private name, then rename: concurrent test files never see a partial binary.
    const tmp = `${bin}.tmp-${process.pid}`;
    try {
      execFileSync(CC, [...CFLAGS, '-o', tmp, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      fs.rmSync(tmp, { force: true });
      throw new Error(`compiling ${src} failed: ${err.stderr?.toString() || err.message}`);
    }
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, bin);
  }
  built.set(name, bin);
  return bin;
}

/** Compiles every helper; returns name → path. */
export function buildAllHelpers(): Record<HelperName, string> {
  const out = {} as Record<HelperName, string>;
  for (const name of HELPER_NAMES) out[name] = helper(name);
  return out;
}
