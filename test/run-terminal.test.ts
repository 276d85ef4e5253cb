// Job control through a real terminal: an interactive bash on a pty (script(1)) runs tsbox, and
// the keys a user would press go through the terminal's line discipline: Ctrl-Z stops the whole
// job (tsbox and the sandboxed processes), `fg` resumes it, Ctrl-C ends it with 130. Run as the
// unprivileged user.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { commandFor, makeTmpDir, skipUnlessUnprivileged, tmpPolicy, tsboxBin, which } from './lib/run.js';

const script = which('script');
const skip = !script ? 'util-linux script is missing' : skipUnlessUnprivileged();

/** An interactive bash on a pty, with a way to type into it and to wait for its output. */
function terminal() {
  const [cmd, args] = commandFor(script!, ['-qfec', 'env PS1="PROMPT$ " bash --norc --noprofile -i', '/dev/null'], 'unprivileged');
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: '/tmp', env: { ...process.env, HOME: '/tmp' } });
  let screen = '';
  child.stdout.on('data', (b: Buffer) => {
    screen += b.toString();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    get screen() {
      return screen;
    },
    type: (keys: string) => child.stdin.write(keys),
    sleep,
    async until(re: RegExp, ms = 20_000): Promise<void> {
      const end = Date.now() + ms;
      while (!re.test(screen)) {
        if (Date.now() > end) throw new Error(`no ${re} on the terminal: ${JSON.stringify(screen)}`);
        await sleep(50);
      }
    },
    close: () => new Promise<void>((resolve) => {
      child.on('close', () => resolve());
      child.stdin.end('exit\n');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

test('Ctrl-Z stops the job, fg resumes it, Ctrl-C ends it (130)', { skip, timeout: 120_000 }, async () => {
  const policy = tmpPolicy('version: 1\n', makeTmpDir({ forUser: 'unprivileged' }));
  const tsbox = `${tsboxBin()} run ${policy} --`;
  const t = terminal();
  try {
    await t.until(/PROMPT\$ /);
    t.type(`${tsbox} sh -c 'for i in 1 2 3 4 5 6 7 8; do echo tick$i; sleep 0.3; done'\n`);
    await t.until(/tick2/);
    t.type('\x1a'); // Ctrl-Z
    await t.until(/Stopped/);
    const ticks = () => (t.screen.match(/tick\d/g) ?? []).length;
    const atStop = ticks();
    await t.sleep(1200);
    assert.equal(ticks(), atStop, 'the sandboxed loop went on while the job was stopped');
    t.type('fg\n');
    await t.until(/tick8/);
    await t.until(/tick8[\s\S]*PROMPT\$ /);
    t.type(`${tsbox} sh -c 'echo sleeping; sleep 30'\n`);
    await t.until(/sleeping/);
    t.type('\x03'); // Ctrl-C
    await t.sleep(500);
    t.type('echo "status=$?"\n');
    await t.until(/status=\d+/);
    assert.equal(/status=(\d+)/.exec(t.screen)![1], '130');
  } finally {
    await t.close();
  }
});
