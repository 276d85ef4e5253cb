// The `tsbox rootfs import` command around importRootfs: progress on a terminal, one summary
// line at the end (always, on stderr: stdout stays free), and every failure as one ImportError
// line that cli.ts prints before exiting 125.

import { ImportError } from './errors.js';
import { importRootfs, type ImportResult } from './import.js';
import { entries, mib, Progress } from './progress.js';

export function summaryLine(r: ImportResult): string {
  const c = r.counts;
  const parts = [
    `${entries(c)} entries (${c.files} files, ${c.dirs} folders, ${c.symlinks} symlinks, ${c.hardlinks} hardlinks)`,
    `${mib(c.bytes)} MiB`,
  ];
  if (c.whiteouts > 0) parts.push(`${c.whiteouts} whiteouts applied`);
  const notes: string[] = [];
  if (c.skippedSpecial > 0) notes.push(`skipped ${c.skippedSpecial} device nodes/FIFOs (an unprivileged user cannot create them; /dev is bound from the host at run time)`);
  if (c.skippedLinks > 0) notes.push(`skipped ${c.skippedLinks} hardlinks to missing members`);
  if (c.skippedBadNames > 0) notes.push(`skipped ${c.skippedBadNames} entries whose names are not UTF-8`);
  if (c.skippedOther > 0) notes.push(`skipped ${c.skippedOther} entries of unknown tar types`);
  if (c.setidCleared > 0) notes.push(`cleared setuid/setgid on ${c.setidCleared} files (imported as root)`);
  const note = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  return `tsbox: rootfs import: ${r.description} → ${r.dir}: ${parts.join(', ')} in ${r.seconds.toFixed(1)}s${note}`;
}

export async function rootfsImportCommand(source: string, dir: string, opts: { ref?: string }): Promise<void> {
  const progress = new Progress();
  try {
    const result = await importRootfs(source, dir, { ref: opts.ref, progress });
    progress.summary(summaryLine(result));
  } catch (e) {
    progress.clear();
    if (e instanceof ImportError) throw new ImportError(`rootfs import: ${e.message}`);
    throw new Error(`rootfs import: internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
