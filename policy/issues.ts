// Turns zod's issues into user-facing diagnostics: a position in the YAML, the key path, a plain
// message, and a hint that says what would be valid ("did you mean …", the list of valid keys).
import type { z } from 'zod';
import { formatKeyPath, type Diagnostic } from './errors.js';
import type { Locate } from './locate.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;

/** The subset of zod's internal definition we walk to find the keys valid at a path. */
interface Def {
  type: string;
  shape?: Record<string, Walkable>;
  innerType?: Walkable;
  element?: Walkable;
  options?: readonly Walkable[];
  in?: Walkable;
  valueType?: Walkable;
}
interface Walkable {
  _zod: { def: Def };
}

/** Looks through wrappers (optional, default, pipes, unions) to the schemas that hold data. */
function unwrap(s: Walkable): Walkable[] {
  const d = s._zod.def;
  if (d.innerType) return unwrap(d.innerType);
  if (d.type === 'pipe' && d.in) return unwrap(d.in);
  if (d.type === 'union' && d.options) return d.options.flatMap(unwrap);
  return [s];
}

/** Keys an object at `path` may have (several shapes when a union allows several). */
export function keysAt(root: Walkable, path: readonly PropertyKey[]): string[] {
  let here = unwrap(root);
  for (const seg of path) {
    const next: Walkable[] = [];
    for (const s of here) {
      const d = s._zod.def;
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) next.push(d.shape[seg]);
      else if (d.type === 'array' && typeof seg === 'number' && d.element) next.push(d.element);
      else if (d.type === 'record' && typeof seg === 'string' && d.valueType) next.push(d.valueType);
    }
    here = next.flatMap(unwrap);
  }
  const keys = new Set<string>();
  for (const s of here) for (const k of Object.keys(s._zod.def.shape ?? {})) keys.add(k);
  return [...keys];
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

/** How a YAML value reads to a user, for "expected …, got …". */
function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v}"`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}

const MISSING_HINTS: Record<string, string> = {
  version: 'add "version: 1" as the first line',
  guest: 'every path entry names the guest path it applies to, e.g. guest: /work',
  syscall: 'name the syscall(s) the rule applies to, e.g. syscall: mount',
};

interface Ctx {
  file: string;
  locate: Locate;
  schema: Walkable;
  /** The parsed YAML, to show the value that was wrong. */
  data: unknown;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function diag(ctx: Ctx, path: readonly PropertyKey[], at: { line: number; column: number }, message: string, hint: string): Diagnostic {
  return { file: ctx.file, line: at.line, column: at.column, path: formatKeyPath(path), message, hint };
}

/** One zod issue → one or more diagnostics (one per unknown key). */
export function issueToDiagnostics(issue: Issue, ctx: Ctx): Diagnostic[] {
  const path = issue.path;
  const last = path[path.length - 1];
  const value = valueAt(ctx.data, path);
  const at = ctx.locate(path, 'value');

  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = keysAt(ctx.schema, path);
      return issue.keys.map((k) => {
        const keyPath = [...path, k];
        const hint = didYouMean(k, valid, valid.length ? `valid keys here: ${valid.join(', ')}` : '');
        return diag(ctx, keyPath, ctx.locate(keyPath, 'key'), `unknown key "${k}"`, hint);
      });
    }
    case 'invalid_type':
    case 'invalid_union': {
      // A union branch that got past the type check failed deeper: its issues say more.
      if (issue.code === 'invalid_union') {
        const deeper = issue.errors.find((b) => b.some((i) => i.code !== 'invalid_type' || i.path.length > 0));
        if (deeper && value !== undefined) return deeper.flatMap((i) => issueToDiagnostics({ ...i, path: [...path, ...i.path] }, ctx));
      }
      if (value === undefined) {
        const hint = MISSING_HINTS[String(last)] ?? '';
        return [diag(ctx, path, at, `missing required key "${String(last)}"`, hint)];
      }
      const expected = expectedOf(issue);
      const hint = expected === EXPECTED.boolean && typeof value === 'string' ? 'YAML 1.2 reads yes/no/on/off as text; write true or false' : '';
      const emptyHint = value === null ? 'give it a value, or remove the key' : '';
      return [diag(ctx, path, at, `expected ${expected}, got ${describeValue(value)}`, hint || emptyHint)];
    }
    case 'invalid_value': {
      if (value === undefined) return [diag(ctx, path, at, `missing required key "${String(last)}"`, MISSING_HINTS[String(last)] ?? '')];
      if (last === 'version') {
        const hint = typeof value === 'string' ? 'write version: 1 (a number, not a string)' : 'this tsbox reads version: 1';
        return [diag(ctx, path, at, `unsupported policy version ${JSON.stringify(value)}`, hint)];
      }
      const options = issue.values.map(String);
      const list = options.length <= 8 ? `expected one of: ${options.join(', ')}` : '';
      if (value === null) return [diag(ctx, path, at, 'the value is empty', list || (last === 'errno' ? 'write an errno name such as EPERM or EACCES' : ''))];
      // Only scalars are quoted: a mapping or a list (even one with a `toString` key) is described.
      if (typeof value === 'object') return [diag(ctx, path, at, `expected one of the listed values, got ${describeValue(value)}`, list)];
      const word = typeof value === 'string' ? value : String(value);
      const what = last === 'errno' ? `unknown errno name "${word}"` : `invalid value "${word}"`;
      return [diag(ctx, path, at, what, didYouMean(word, options, list))];
    }
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'string') {
        const msg = issue.code === 'too_small' && bound === 1 ? 'must not be empty' : `${issue.origin === 'array' ? 'list' : 'text'} length must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound}`;
        return [diag(ctx, path, at, msg, '')];
      }
      const cmp = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return [diag(ctx, path, at, `${describeValue(value)} is out of range: must be ${cmp} ${bound}`, '')];
    }
    case 'invalid_key': {
      // A record key (an environment variable name) failed its own check: report that check.
      const inner = issue.issues[0];
      const hint = inner?.code === 'custom' && typeof inner.params?.hint === 'string' ? inner.params.hint : '';
      return [diag(ctx, path, ctx.locate(path, 'key'), inner?.message ?? issue.message, hint)];
    }
    case 'custom': {
      const hint = typeof issue.params?.hint === 'string' ? issue.params.hint : '';
      return [diag(ctx, path, at, issue.message, hint)];
    }
    default:
      return [diag(ctx, path, at, issue.message, '')];
  }
}

/** "a string or a list" for unions whose every branch failed on the type alone. */
function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return EXPECTED[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_union') {
    const names = new Set<string>();
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && first.code === 'invalid_type') names.add(EXPECTED[first.expected] ?? first.expected);
    }
    if (names.size > 0) return [...names].join(' or ');
  }
  return 'a different value';
}
