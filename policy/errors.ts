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

/** Formats one diagnostic as `file:line:column: key.path: message — hint`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const key = d.path ? `${d.path}: ` : '';
  const hint = d.hint ? ` — ${d.hint}` : '';
  return `${where}: ${key}${d.message}${hint}`;
}

export class PolicyError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const sorted = [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
    super(sorted.map(formatDiagnostic).join('\n'));
    this.name = 'PolicyError';
    this.diagnostics = sorted;
  }

  /** One line per diagnostic, in file order: what the CLI prints on stderr. */
  format(): string {
    return this.message;
  }
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
