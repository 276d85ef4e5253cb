// Policy diagnostics. Every problem a user can make in a policy ends up here, with a position in
// the file, so `tsbox run`/`tsbox check` can print it and exit 125 without a stack trace.

export interface Diagnostic {
  /** The policy file as the user named it (what they can click on in a terminal). */
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. it cannot be read). */
  line: number;
  column: number;
  /** The key path in the policy, e.g. "paths[0].access"; "" for the document as a whole. */
  path: string;
  message: string;
  /** What would be valid, e.g. 'did you mean "access"?'; "" when there is nothing to add. */
  hint: string;
}

/** Line breaks and other control characters from the user's text, shown escaped: one problem, one line. */
const oneLine = (s: string): string =>
  s.replace(/\r?\n/g, '\\n').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** Formats one diagnostic as `file:line:column: key.path: message — hint`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const key = d.path ? `${oneLine(d.path)}: ` : '';
  const hint = d.hint ? ` — ${oneLine(d.hint)}` : '';
  return `${where}: ${key}${oneLine(d.message)}${hint}`;
}

/** More problems than this are summarized in one last line. */
const MAX_SHOWN = 20;

export class PolicyError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
    // The same problem reported many times (a deeply broken file) is said once.
    const lines = [...new Set(sorted.map(formatDiagnostic))];
    const shown = lines.slice(0, MAX_SHOWN);
    if (lines.length > MAX_SHOWN) shown.push(`${sorted[0].file}: … and ${lines.length - MAX_SHOWN} more problems`);
    super(shown.join('\n'));
    this.name = 'PolicyError';
    this.diagnostics = sorted;
  }

  /** One line per diagnostic, in file order: what the CLI prints on stderr. */
  format(): string {
    return this.message;
  }
}

/**
 * True for a PolicyError from any copy of this module: `tsbox run` (a CommonJS bundle) catches
 * the ones thrown by the policy loader (an ES module bundle), whose class is another object.
 */
export function isPolicyError(e: unknown): e is PolicyError {
  return e instanceof Error && e.name === 'PolicyError' && Array.isArray((e as PolicyError).diagnostics);
}

/** Renders a key path the way users write it in YAML: paths[0].access. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    const key = String(seg);
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += `[${JSON.stringify(key)}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}
