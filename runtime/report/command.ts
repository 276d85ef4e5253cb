// `tsbox report FILE [--html OUT]`: the terminal summary on stdout, or the HTML page written to OUT.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { parseReport, ReportError } from './schema.js';

export function reportCommand(file: string, opts: { html?: string }): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ReportError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const report = parseReport(text, file);
  if (opts.html) {
    mkdirSync(dirname(opts.html), { recursive: true });
    writeFileSync(opts.html, renderHtml(report));
    process.stderr.write(`tsbox: HTML report written to ${opts.html}\n`);
    return;
  }
  process.stdout.write(renderText(report));
}
