// The import's progress: on a terminal, one line redrawn in place (at most ten times a second,
// since entries come by the thousand); anywhere else nothing until the final summary, so logs
// and pipes get one line.

import type { TreeCounts } from './tree-writer.js';

const MiB = 1024 * 1024;

export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

export function entries(c: TreeCounts): number {
  return c.files + c.dirs + c.symlinks + c.hardlinks;
}

export class Progress {
  private readonly live: boolean;
  private label = '';
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.live = out.isTTY === true;
  }

  /** Starting layer i of n (1-based). */
  layer(i: number, n: number, c: TreeCounts): void {
    this.label = n > 1 ? `layer ${i}/${n}` : 'unpacking';
    this.draw(c);
  }

  update(c: TreeCounts): void {
    if (!this.live) return;
    const now = performance.now();
    if (now - this.lastDraw >= 100) this.draw(c);
  }

  /** Erases the live line (before a summary or an error message). */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The final line, always written. */
  summary(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  private draw(c: TreeCounts): void {
    if (!this.live) return;
    this.lastDraw = performance.now();
    const text = `rootfs import: ${this.label}, ${entries(c)} files, ${mib(c.bytes)} MiB`;
    this.out.write(`\r\x1b[K${text.slice(0, Math.max(20, (this.out.columns || 80) - 1))}`);
    this.drawn = true;
  }
}
