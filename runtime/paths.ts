// Path translation between the guest's view and the host. Every path a trapped syscall names is
// resolved here, in guest terms, one component at a time (as PRoot's canonicalize does): `..`
// never climbs above the guest "/", absolute symlink targets start again from the guest "/", and
// each component is looked up on the host through the longest matching `paths` rule.
//
// All paths are byte strings (see memory.ts): JS strings whose char codes are the bytes.
import type { PathRule } from '../policy/plan.js';
import { ERRNO } from '../arch/index.js';
import { folderHasNoSymlinks, lookupHost, readHostLink, UntilChanged } from './host-fs.js';

const MAX_SYMLINKS = 40; // the kernel's limit, so ELOOP comes at the same depth

export interface Resolved {
  /** Canonical guest path (symlinks resolved except a final one when not following). */
  guest: string;
  /** The host path the kernel should be given. */
  host: string;
  /** The rule that decides access: the one whose host location holds the object reached. */
  rule: PathRule | null;
  /** True when the host path differs from what the kernel would reach by itself from `raw`. */
  mapped: boolean;
  /** True when resolution stopped at a /proc magic link, which only the kernel can follow. */
  magic: boolean;
}

export type Resolution = Resolved | { errno: number };

/** The directory a relative path starts from, in both views. */
export interface Base {
  guest: string;
  host: string;
}


/** A `.` component after a name: "x/." or "x/./y" (a leading "./" or "/./" is fine). */
const DOT_AFTER_NAME = /[^/]\/+\.(\/|$)/;

/** An absolute path with no empty, `.` or `..` component and no trailing slash. */
const NORMAL_ABSOLUTE = /^(\/(?!\.\.?(\/|$))[^/]+)+$/;

/** Joins and normalizes lexically (no symlinks looked at). `base` must be absolute. */
export function lexicalJoin(base: string, path: string): string {
  if (NORMAL_ABSOLUTE.test(path)) return path; // the common case, without splitting
  const out: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${base}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

const isUnder = (path: string, prefix: string) =>
  prefix === '/' || path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47);

// /proc/<pid>/{cwd,exe,root,fd/N,map_files/..} are "magic": their targets are not paths to walk.
/** True for a /proc magic link (its target is an open file, named by a host path). */
export const isMagicLink = (host: string): boolean => MAGIC_LINK.test(host);
const MAGIC_LINK = /^\/proc\/\d+(\/task\/\d+)?\/(cwd|exe|root|fd\/\d+|map_files\/[^/]+)$/;

const RESTRICTIVENESS: Record<string, number> = { none: 0, ro: 1, rw: 2 };

export class PathTranslator {
  /** Binds, longest guest first: they decide where a guest path is on the host. */
  private readonly binds: readonly PathRule[];
  /** Binds, longest host first: they decide what guest path shows a host path. */
  private readonly byHost: readonly PathRule[];
  /** Every rule at its host location, longest first: they decide access, by the object reached. */
  private readonly located: ReadonlyArray<{ host: string; rule: PathRule }>;
  /** False when every guest path is its own host path (only access rules, no binds, no root). */
  readonly hasMapping: boolean;

  /** `rules` sorted longest guest first (the plan's order). */
  constructor(
    private readonly rules: readonly PathRule[],
    private readonly root: string | null,
  ) {
    this.binds = rules.filter((r) => r.bind);
    this.byHost = [...this.binds].sort((a, b) => b.host.length - a.host.length);
    // An access rule inside a bind (guest /work/private under /work → X) protects X/private:
    // locate it through the binds. Equal locations: the most restrictive rule first.
    this.located = rules
      .map((rule) => ({ host: rule.bind ? rule.host : this.toHost(rule.guest), rule }))
      .sort((a, b) => b.host.length - a.host.length || RESTRICTIVENESS[a.rule.access] - RESTRICTIVENESS[b.rule.access]);
    this.hasMapping = root !== null || this.binds.some((r) => r.host !== r.guest);
    const last = (p: string) => p.slice(p.lastIndexOf('/') + 1);
    this.ruleNames = new Set(this.located.flatMap((l) => [last(l.rule.guest), last(l.host)]));
  }

  /** The last component of every rule's guest path and host location. */
  private readonly ruleNames: ReadonlySet<string>;

  /**
   * True when `name`, looked up directly in a folder the program already holds (its cwd or a
   * dirfd), cannot reach anything a rule is about: it is a single component, not `..`, and no
   * rule's path ends in it. Such a lookup lands where the kernel's own would.
   */
  isPlainName(name: string): boolean {
    return name !== '' && name !== '..' && !name.includes('/') && !this.ruleNames.has(name);
  }

  /** The rule for the object at a host path (the longest rule location above it), or null. */
  ruleForHost(host: string): PathRule | null {
    for (const l of this.located) if (isUnder(host, l.host)) return l.rule;
    return null;
  }

  /** Where a rule's guest path is on the host. */
  hostOf(rule: PathRule): string {
    return this.located.find((l) => l.rule === rule)?.host ?? this.toHost(rule.guest);
  }

  /** Guest path → host path, lexically (the guest path is already canonical). */
  toHost(guest: string): string {
    for (const b of this.binds) {
      if (isUnder(guest, b.guest)) return b.guest === '/' ? b.host + (guest === '/' ? '' : guest) : b.host + guest.slice(b.guest.length);
    }
    if (this.root !== null) return guest === '/' ? this.root : this.root + guest;
    return guest;
  }

  /** Host path → guest path (for getcwd, readlink results); null when the guest cannot see it. */
  toGuest(host: string): string | null {
    for (const r of this.byHost) {
      if (isUnder(host, r.host)) {
        const rest = host.slice(r.host.length);
        return r.guest === '/' ? rest || '/' : r.guest + rest;
      }
    }
    if (this.root !== null) return isUnder(host, this.root) ? host.slice(this.root.length) || '/' : null;
    return host;
  }

  /**
   * Resolves `raw` (as the program passed it) against `base` (the guest directory it is relative
   * to: the cwd or a dirfd's directory). `pid` stands for /proc/self.
   */
  resolve(raw: string, base: Base, followLast: boolean, pid: number): Resolution {
    if (raw === '') return { errno: ERRNO.ENOENT };
    // Absolute paths are remembered while nothing changes: the libraries, caches and headers
    // every exec and compile opens again, and paths through a symlinked folder (/bin -> usr/bin,
    // /lib -> usr/lib on merged-/usr systems and in every Debian rootfs), which cannot take the
    // lexical path and would be walked component by component each time. Never errors (a file
    // may appear any moment), nor anything under /proc (pid-bound).
    const remembered = raw.startsWith('/') && !raw.startsWith('/proc');
    const key = remembered ? (followLast ? `F${raw}` : `N${raw}`) : '';
    if (remembered) {
      const known = this.walks.get(key);
      if (known !== undefined) return known;
    }
    const resolved = this.resolveLexically(raw, base, followLast) ?? this.walk(raw, base, followLast, pid);
    if (remembered && !('errno' in resolved) && !resolved.magic && !resolved.guest.startsWith('/proc')) this.walks.set(key, resolved);
    return resolved;
  }

  private readonly walks = new UntilChanged<Resolved>();

  /**
   * The fast path: a path without `..` whose host form the kernel walks without meeting a
   * symlink resolves to its lexical form. One openat2 instead of one lstat per component.
   */
  private resolveLexically(raw: string, base: Base, followLast: boolean): Resolved | null {
    // `..`, and `.` after a name ("file/.": ENOTDIR), need each component looked at: the walk.
    if (raw.includes('..') || DOT_AFTER_NAME.test(raw)) return null;
    const absolute = raw.startsWith('/');
    const trailingSlash = raw.endsWith('/') && raw.length > 1;
    const guest = lexicalJoin(absolute ? '/' : base.guest, raw);
    const host = this.toHost(guest);
    // The folder part from a cache, the last component with one lstat when it is followed.
    const folder = host.slice(0, Math.max(host.lastIndexOf('/'), 1));
    if (!folderHasNoSymlinks(folder)) return null;
    if ((followLast || trailingSlash) && host !== folder && lookupHost(host) === 'symlink') return null;
    const suffix = trailingSlash && guest !== '/' ? '/' : '';
    const sameForKernel = this.root === null ? host === guest && (absolute || this.toHost(base.guest) === base.guest)
      : false;
    const mapped = !sameForKernel && !(!absolute && host === lexicalJoin(base.host, raw));
    return { guest: guest + suffix, host: host + suffix, rule: this.ruleForHost(host), mapped, magic: false };
  }

  /** The full walk, component by component, following symlinks in guest terms. */
  private walk(raw: string, base: Base, followLast: boolean, pid: number): Resolution {
    const absolute = raw.startsWith('/');
    const trailingSlash = raw.endsWith('/');
    const pending = raw.split('/').reverse();
    // The base is the kernel's own canonical name for a folder (from /proc/<pid>/cwd or fd/N),
    // so its components need no lookup: the walk starts below it.
    const done: string[] = absolute ? [] : base.guest.split('/').filter((c) => c !== '');
    let links = 0;
    let nonIdentity = this.root !== null || (!absolute && this.toHost(base.guest) !== base.guest);
    let magic = false;
    while (pending.length > 0) {
      const part = pending.pop()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        done.pop(); // at the guest "/" this is a no-op: `..` cannot climb out
        continue;
      }
      // A name followed by "/." is not the last one: the kernel must walk into it (ENOTDIR for a file).
      const isLast = !pending.some((p) => p !== '');
      // The supervisor is not the tracee: its /proc/self is the wrong process.
      const name = done.length === 1 && done[0] === 'proc' && (part === 'self' || part === 'thread-self') ? String(pid) : part;
      done.push(name);
      if (isLast && !followLast && !trailingSlash) break;
      const guest = `/${done.join('/')}`;
      const host = this.toHost(guest);
      if (host !== guest) nonIdentity = true;
      const kind = lookupHost(host);
      if (kind === 'notdir') return { errno: ERRNO.ENOTDIR };
      if (kind === 'toolong') return { errno: ERRNO.ENAMETOOLONG };
      if (kind === 'missing') {
        // Missing: as the last component it may be created; anything after it (even `..`) the
        // kernel cannot walk through.
        if (!isLast) return { errno: ERRNO.ENOENT };
        break;
      }
      if (kind !== 'symlink') {
        if (!isLast && kind !== 'dir') return { errno: ERRNO.ENOTDIR };
        continue;
      }
      if (MAGIC_LINK.test(host)) {
        // Let the kernel follow it: the target is an open file, not a path to walk.
        magic = true;
        while (pending.length > 0) {
          const rest = pending.pop()!;
          if (rest !== '' && rest !== '.') done.push(rest);
        }
        break;
      }
      if (++links > MAX_SYMLINKS) return { errno: ERRNO.ELOOP };
      const target = readHostLink(host);
      if (target === null) return { errno: ERRNO.ENOENT };
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      for (const p of target.split('/').reverse()) pending.push(p);
    }
    let guest = `/${done.join('/')}`;
    if (trailingSlash && guest !== '/') guest += '/';
    const bare = trailingSlash && guest !== '/' ? guest.slice(0, -1) : guest;
    const host = this.toHost(bare) + (bare !== guest ? '/' : '');
    if (host !== guest) nonIdentity = true;
    // Can the original string stay? Only if the kernel, resolving it from the tracee's own cwd or
    // dirfd on the host, must reach the same file: every lookup mapped to itself, or a plain
    // relative path (no `..`, no symlink on the way) that lands exactly where we did.
    const plainRelative = !absolute && links === 0 && !raw.split('/').includes('..');
    const mapped = nonIdentity && !(plainRelative && host === lexicalJoin(base.host, raw) + (bare !== guest ? '/' : ''));
    return { guest, host, rule: this.ruleForHost(host.length > 1 && host.endsWith('/') ? host.slice(0, -1) : host), mapped, magic };
  }
}
