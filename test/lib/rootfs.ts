// Guest root filesystems for the tests: the Debian bookworm minbase rootfs that
// scripts/rootfs-debian.sh builds (once, into a cache outside the repository; minutes the first
// time, then reused), writable copies of it for tests that install packages, and the
// dev-environment example policy set up around a rootfs.
//
// Call debianRootfs() / skipUnlessDebianRootfs() at a test file's top level, not inside a test:
// a first build takes longer than a test's timeout, and top-level code has none.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './helpers.js';
import { isRoot, makeTmpDir, UNPRIVILEGED_GID, UNPRIVILEGED_UID, type User } from './run.js';

function isCI(): boolean {
  const ci = process.env.CI;
  return !!ci && ci !== 'false' && ci !== '0';
}

let built: { dir: string } | { error: Error } | undefined;

/**
 * The cached Debian bookworm minbase rootfs (read-only for the tests: root-owned when built as
 * root, everything readable by others), building it with scripts/rootfs-debian.sh when needed.
 * That needs root; reusing a complete cache does not. Throws when there is none and it cannot be
 * built.
 */
export function debianRootfs(): string {
  if (!built) {
    const script = path.join(repoRoot(), 'scripts', 'rootfs-debian.sh');
    try {
      // The script prints the path last on stdout; its messages go to our stderr, not to the
      // test reporter's stdout.
      const out = execFileSync('sh', [script], { stdio: ['ignore', 'pipe', 2], encoding: 'utf8', timeout: 45 * 60_000 });
      const dir = out.trim().split('\n').pop() ?? '';
      if (!fs.existsSync(path.join(dir, 'etc', 'debian_version'))) throw new Error(`the script printed "${dir}", which holds no Debian rootfs`);
      built = { dir };
    } catch (e) {
      const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
      built = {
        error: new Error(`no Debian rootfs: ${script} failed (${detail}); run it once as root, or set TSBOX_CACHE to where it was built`),
      };
    }
  }
  if ('error' in built) throw built.error;
  return built.dir;
}

/**
 * For node:test's `skip`: false when debianRootfs() works here, else why not. Under CI=true a
 * missing rootfs is an error, never a silent skip.
 */
export function skipUnlessDebianRootfs(): string | false {
  try {
    debianRootfs();
    return false;
  } catch (e) {
    if (isCI()) throw e;
    return (e as Error).message;
  }
}

const copies: string[] = [];
process.on('exit', () => {
  if (!process.env.TSBOX_TEST_KEEP) removeRootfsCopies();
});

/**
 * A fresh copy of the Debian rootfs that `forUser` may write into (apt-get install …): under
 * /var/tmp (it is ~180 MB; /tmp may be RAM), owned by uid 65534 when 'unprivileged' and running
 * as root. Removed at exit (unless TSBOX_TEST_KEEP is set) or by removeRootfsCopies().
 */
export function writableRootfsCopy(forUser: User = 'self'): string {
  const src = debianRootfs();
  const base = fs.mkdtempSync('/var/tmp/tsbox-rootfs-');
  copies.push(base);
  fs.chmodSync(base, 0o755); // mkdtemp makes 0700: uid 65534 could not even reach the copy
  const dest = path.join(base, 'rootfs');
  execFileSync('cp', ['-a', '--reflink=auto', src, dest], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (forUser === 'unprivileged' && isRoot()) {
    // -h -P: change the symlinks themselves, never what they point to (dev/fd -> /proc/self/fd).
    execFileSync('chown', ['-R', '-h', '-P', `${UNPRIVILEGED_UID}:${UNPRIVILEGED_GID}`, base], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return dest;
}

/** Removes every copy writableRootfsCopy made in this process. */
export function removeRootfsCopies(): void {
  for (const base of copies.splice(0)) {
    try {
      fs.rmSync(base, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

/**
 * examples/dev-rootfs.yaml set up as its comment tells users to: copied into a fresh folder next
 * to a `rootfs` symlink to `rootfs` and a `project` symlink to `project` (the policy refers to
 * both relative to itself, and the loader insists that they exist). Returns the policy's path.
 */
export function devRootfsPolicy(rootfs: string, project: string, forUser: User = 'self'): string {
  const dir = makeTmpDir({ forUser, prefix: 'tsbox-dev-rootfs-' });
  const policy = path.join(dir, 'dev-rootfs.yaml');
  fs.copyFileSync(path.join(repoRoot(), 'examples', 'dev-rootfs.yaml'), policy);
  fs.chmodSync(policy, 0o644);
  fs.symlinkSync(path.resolve(rootfs), path.join(dir, 'rootfs'));
  fs.symlinkSync(path.resolve(project), path.join(dir, 'project'));
  return policy;
}
