// Reads a policy file and returns its Plan, or throws a PolicyError whose every line is
// `file:line:column: key.path: message — hint`. Stages, each stopping on error: decode, YAML
// syntax (yaml's own positions), the zod schema, then compile (host paths on disk, duplicates).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { compilePolicy, type CompileContext } from './compile.js';
import { PolicyError, type Diagnostic } from './errors.js';
import { issueToDiagnostics } from './issues.js';
import { makeLocator } from './locate.js';
import type { Plan } from './plan.js';
import { PolicySchema } from './schema.js';

export async function loadPolicy(file: string): Promise<Plan> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  return compilePolicySource(bytes, file);
}

export function loadPolicySync(file: string): Plan {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  return compilePolicySource(bytes, file);
}

function unreadable(file: string, err: unknown): PolicyError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a folder, not a file' : (e.code ?? String(err));
  return new PolicyError([{ file, line: 0, column: 0, path: '', message: `cannot read the policy file: ${why}`, hint: '' }]);
}

const at = (file: string, line: number, column: number, message: string, hint = '', path = ''): Diagnostic => ({
  file,
  line,
  column,
  path,
  message,
  hint,
});

/**
 * The whole pipeline on bytes already read. `file` is how messages name the policy; its folder
 * (resolved against the cwd once, here) anchors relative host paths.
 */
export function compilePolicySource(bytes: Uint8Array | string, file: string, onHostPath?: CompileContext['onHostPath']): Plan {
  const digest = createHash('sha256').update(bytes).digest('hex');
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyError([at(file, 1, 1, 'the policy file is not UTF-8 text')]);
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => lines.linePos(offset);
  // Warnings too (e.g. an unknown tag): a policy is read strictly or not at all.
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    throw new PolicyError(
      yamlProblems.map((e) => {
        const { line, col } = pos(e.pos[0]);
        return yamlDiagnostic(file, line, col, e.code, e.message, text.slice(e.pos[0]));
      }),
    );
  }
  if (doc.contents === null) {
    throw new PolicyError([at(file, 1, 1, 'the policy file is empty', 'a policy starts with "version: 1"')]);
  }
  const locate = makeLocator(doc, lines);
  if (!isMap(doc.contents)) {
    const p = locate([]);
    throw new PolicyError([at(file, p.line, p.column, 'a policy is a mapping of keys (version: 1, paths: …), not a single value or a list')]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyError([at(file, 1, 1, `cannot read the YAML: ${(err as Error).message}`)]);
  }

  const parsed = PolicySchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const ctx = { file, locate, schema: PolicySchema, data };
    throw new PolicyError(parsed.error.issues.flatMap((i) => issueToDiagnostics(i, ctx)));
  }
  return compilePolicy(parsed.data, { file, policyFile: resolve(file), digest, locate, onHostPath });
}

/** `rest` is the source from the error on (for a duplicate key: the key itself). */
function yamlDiagnostic(file: string, line: number, col: number, code: string, message: string, rest: string): Diagnostic {
  // yaml's messages end with " at line L, column C:"; we print the position ourselves.
  const plain = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return at(file, line, col, `duplicate key "${keyText(rest)}"`, 'each key may appear once in a mapping; merge the two');
    case 'MULTIPLE_DOCS':
      return at(file, line, col, 'the file holds more than one YAML document', 'a policy is one document; remove the extra "---"');
    case 'TAB_AS_INDENT':
      return at(file, line, col, 'YAML syntax error: tabs cannot indent', 'indent with spaces');
    default:
      return at(file, line, col, `YAML syntax error: ${plain}`);
  }
}

/** The key at the start of `rest` ("name: b" → name), without quotes. */
function keyText(rest: string): string {
  const raw = /^[^:\n]*/.exec(rest)?.[0] ?? '';
  return raw.trim().replace(/^["']|["']$/g, '');
}
