// Small helpers the end-to-end suites share: readable failure messages and finding processes
// that should not have survived a run.
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import type { RunResult } from './run.js';

/** A run's outcome in one line, for assertion messages. */
export function show(r: RunResult): string {
  return `code=${r.code} signal=${r.signal} stdout=${JSON.stringify(r.stdout.slice(0, 3000))} stderr=${JSON.stringify(r.stderr.slice(0, 3000))}`;
}

/** A line-by-line diff, for readable failures of long comparisons. */
export function diffLines(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) out.push(`line ${i + 1}:\n  expected: ${e[i]}\n  actual:   ${a[i]}`);
  }
  return out.join('\n');
}

/** Processes whose command line matches `pattern` (pgrep -f), as "pid command" lines. */
export function processesMatching(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', '--', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** The processes matching `pattern` still there after up to `ms` (they may take a moment to go). */
export async function survivors(pattern: string, ms = 1000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = processesMatching(pattern);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What test/helpers/socketcheck.c prints first when IP sockets are refused and AF_UNIX works. */
export const SOCKETCHECK_IP_REFUSED = [
  'socket AF_INET SOCK_STREAM => EACCES',
  'socket AF_INET6 SOCK_STREAM => EACCES',
  'socket AF_INET SOCK_DGRAM => EACCES',
  'socket AF_UNIX SOCK_STREAM => fd',
  'socketpair AF_UNIX SOCK_STREAM => 0',
  'socketpair write => 1',
  'socketpair read => "x"',
];

/** A TCP listener on 127.0.0.1 that accepts and closes: something to connect to. */
export async function tcpListener(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}
