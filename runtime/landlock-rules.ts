// From a plan to Landlock rules: the kernel-enforced form of `paths` access, `root` and the
// network. Landlock only grants (a rule adds rights beneath a path; there is no deny rule), so
// "everything except X" is built by granting X's siblings along its path instead of X's
// ancestors. Consequences users see (documented in docs/SECURITY.md):
//   - an ancestor of a restricted path gets only the rights safe for everything below it, plus
//     READ_DIR so it can still be listed: a new entry created later directly in that ancestor
//     (say /root/newfile next to a hidden /root/.ssh) is not covered by any rule and is refused;
//   - under `root:` nothing outside the root folder and the binds is reachable at all.
import { readdirSync, lstatSync } from 'node:fs';
import type { Access, Plan } from '../policy/plan.js';
import { PathTranslator } from './paths.js';

// LANDLOCK_ACCESS_FS_* (linux/landlock.h) and the ABI that introduced each.
export const FS = {
  EXECUTE: 1n << 0n, WRITE_FILE: 1n << 1n, READ_FILE: 1n << 2n, READ_DIR: 1n << 3n, REMOVE_DIR: 1n << 4n,
  REMOVE_FILE: 1n << 5n, MAKE_CHAR: 1n << 6n, MAKE_DIR: 1n << 7n, MAKE_REG: 1n << 8n, MAKE_SOCK: 1n << 9n,
  MAKE_FIFO: 1n << 10n, MAKE_BLOCK: 1n << 11n, MAKE_SYM: 1n << 12n, REFER: 1n << 13n, TRUNCATE: 1n << 14n,
  IOCTL_DEV: 1n << 15n,
} as const;
export const NET = { BIND_TCP: 1n, CONNECT_TCP: 2n } as const;
export const SCOPE = { ABSTRACT_UNIX_SOCKET: 1n, SIGNAL: 2n } as const;

/** Every filesystem right a given ABI knows (ABI 1: 13 rights; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV). */
export function fsRightsForAbi(abi: number): bigint {
  let rights = (1n << 13n) - 1n;
  if (abi >= 2) rights |= FS.REFER;
  if (abi >= 3) rights |= FS.TRUNCATE;
  if (abi >= 5) rights |= FS.IOCTL_DEV;
  return rights;
}

const READ_ONLY = FS.EXECUTE | FS.READ_FILE | FS.READ_DIR;
/** Rights that mean something on a file (a rule on a non-directory may carry only these). */
export const FILE_RIGHTS = FS.EXECUTE | FS.WRITE_FILE | FS.READ_FILE | FS.TRUNCATE | FS.IOCTL_DEV;

export interface PathGrant {
  host: string;
  rights: bigint;
  directory: boolean;
  /** Why this rule exists, for `tsbox check`. */
  reason: string;
  /**
   * Set on a folder that holds a narrower rule: it cannot get the rights to create or remove
   * entries directly in it (they would reach the narrower path too). The narrower rules' reasons.
   */
  locked?: string[];
}

export interface LandlockPlan {
  handledFs: bigint;
  handledNet: bigint;
  scoped: bigint;
  grants: PathGrant[];
  /** The lowest Landlock ABI that enforces all of it. */
  neededAbi: number;
}

interface Area {
  host: string;
  rights: bigint;
  reason: string;
}

const isUnder = (path: string, prefix: string) => prefix === '/' ? path !== '/' : path.startsWith(`${prefix}/`);
const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

function rightsFor(access: Access, all: bigint): bigint {
  return access === 'rw' ? all : access === 'ro' ? READ_ONLY : 0n;
}

function kindOf(host: string): 'dir' | 'file' | 'symlink' | 'missing' {
  try {
    const st = lstatSync(Buffer.from(host, 'latin1'));
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Grants `area` its rights, except beneath the areas in `inside` that need fewer: there the
 * siblings along the way get the area's rights and the ancestors only what is safe for all.
 */
function grant(area: Area, inside: Area[], out: PathGrant[]): void {
  const kind = kindOf(area.host);
  if (kind === 'missing' || kind === 'symlink') return;
  const directChildren = inside.filter((a) => !inside.some((b) => b !== a && isUnder(a.host, b.host)));
  const weaker = directChildren.filter((a) => (area.rights & ~a.rights) !== 0n);
  if (weaker.length === 0 || kind !== 'dir') {
    out.push({ host: area.host, rights: kind === 'dir' ? area.rights : area.rights & FILE_RIGHTS, directory: kind === 'dir', reason: area.reason });
    for (const child of directChildren) grant(child, inside.filter((a) => isUnder(a.host, child.host)), out);
    return;
  }
  // The ancestor keeps what every restricted descendant may have anyway, and can be listed.
  const safe = weaker.reduce((r, a) => r & a.rights, area.rights) | (area.rights & FS.READ_DIR);
  if (safe !== 0n) out.push({ host: area.host, rights: safe, directory: true, reason: `${area.reason} (ancestor of a narrower rule)`, locked: weaker.map((a) => a.reason) });
  let names: string[];
  try {
    names = readdirSync(Buffer.from(area.host, 'latin1'), { encoding: 'latin1' });
  } catch {
    return;
  }
  for (const name of names) {
    const child = join(area.host, name);
    const exact = directChildren.find((a) => a.host === child);
    const below = inside.filter((a) => isUnder(a.host, child));
    if (exact) grant(exact, below, out);
    else if (below.length > 0) grant({ ...area, host: child }, below, out);
    else grant({ ...area, host: child }, [], out);
  }
}

/**
 * `readable`: host folders of tsbox's own whose files the sandbox may read (the run folder,
 * run-dir.ts), granted READ_FILE only.
 */
export function landlockPlan(plan: Plan, abi: number, readable: readonly string[] = []): LandlockPlan {
  const all = fsRightsForAbi(Math.max(abi, 1));
  const translator = new PathTranslator(plan.paths, plan.root);
  let base: Area = plan.root === null
    ? { host: '/', rights: all, reason: 'the host "/" (no root)' }
    : { host: plan.root, rights: all, reason: 'root' };
  let areas: Area[] = plan.paths.map((r) => ({
    host: translator.hostOf(r),
    rights: rightsFor(r.access, all),
    reason: `${r.guest} (${r.access}) [${r.source}]`,
  }));
  // A rule on the base itself (e.g. `guest: /` with access ro) replaces the base's rights.
  const onBase = areas.find((a) => a.host === base.host);
  if (onBase) base = onBase;
  areas = areas.filter((a) => a.host !== base.host);
  const grants: PathGrant[] = [];
  const topLevel = areas.filter((a) => !isUnder(a.host, base.host) && a.host !== base.host);
  grant(base, areas.filter((a) => isUnder(a.host, base.host)), grants);
  // A bind whose host folder lies outside the base (under root: anywhere but the rootfs).
  for (const a of topLevel) grant(a, areas.filter((b) => isUnder(b.host, a.host)), grants);
  for (const host of readable) grants.push({ host, rights: FS.READ_FILE, directory: true, reason: 'tsbox run folder (process names, command lines)' });

  const network = plan.network === 'none';
  let neededAbi = 1;
  if (plan.paths.some((r) => r.access !== 'rw') || plan.root !== null) neededAbi = 3; // TRUNCATE must be handled to stop truncation of ro files
  if (network) neededAbi = Math.max(neededAbi, 6); // TCP rules (4) and abstract unix scoping (6)
  neededAbi = Math.max(neededAbi, 6); // signal scoping protects the supervisor and host processes
  return {
    handledFs: all,
    handledNet: abi >= 4 && network ? NET.BIND_TCP | NET.CONNECT_TCP : 0n,
    scoped: abi >= 6 ? SCOPE.SIGNAL | (network ? SCOPE.ABSTRACT_UNIX_SOCKET : 0n) : 0n,
    grants: grants.filter((g) => g.rights !== 0n),
    neededAbi,
  };
}
