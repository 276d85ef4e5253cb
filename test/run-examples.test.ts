// The shipped policies in examples/ and the README's first command, run for real.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { helper, repoRoot } from './lib/helpers.js';
import { isRoot, makeTmpDir, runNative, runTsbox, UNPRIVILEGED_GID, UNPRIVILEGED_UID, type RunResult } from './lib/run.js';
import { show, tcpListener } from './lib/check.js';

const examples = () => path.join(repoRoot(), 'examples');
const example = (name: string) => path.join(examples(), name);

/** Non-JSON lines of stderr (tsbox's own log lines are JSON). */
function programStderr(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l && !l.startsWith('{'));
}

test('every example policy passes tsbox check', async () => {
  const files = fs.readdirSync(examples()).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 3, files.join(' '));
  for (const f of files) {
    let r = await runTsbox(['check', example(f)]);
    // Some examples expect folders the user prepares (dev-rootfs.yaml: ./rootfs, ./project) and
    // say so in their comments: check a copy next to empty stand-ins for those folders.
    const missing = [...r.stderr.matchAll(/does not exist \(looked for ([^)]+)\)/g)].map((m) => path.relative(examples(), m[1]));
    if (r.code !== 0 && missing.length > 0 && missing.every((m) => !m.startsWith('..'))) {
      const dir = makeTmpDir();
      fs.copyFileSync(example(f), path.join(dir, f));
      for (const m of missing) fs.mkdirSync(path.join(dir, m), { recursive: true });
      r = await runTsbox(['check', path.join(dir, f)]);
    }
    assert.equal(r.code, 0, `${f}: ${show(r)}`);
  }
});

describe('examples/hello.yaml', () => {
  test("`tsbox run examples/hello.yaml -- sh -c 'id; ls /work'` from the repository", async () => {
    const id = await runNative('id', []);
    const ls = await runNative('ls', [examples()]);
    const r = await runTsbox(['run', 'examples/hello.yaml', '--', 'sh', '-c', 'id; ls /work'], { cwd: repoRoot() });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, id.stdout + ls.stdout);
    assert.match(r.stdout, /hello\.yaml/);
  });

  test('the same from another folder: the host path is relative to the policy file; cwd is /work', async () => {
    const ls = await runNative('ls', [examples()]);
    const r = await runTsbox(['run', example('hello.yaml'), '--', 'sh', '-c', 'pwd; ls'], { cwd: makeTmpDir() });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '/work\n' + ls.stdout);
  });

  test('/work is read-only and /root/.ssh is hidden', async () => {
    const r = await runTsbox(['run', example('hello.yaml'), '--', 'sh', '-c', 'touch /work/x 2>&1; ls -d /root/.ssh 2>&1; cat /work/hello.yaml | head -1']);
    assert.equal(r.code, 0, show(r));
    const first = fs.readFileSync(example('hello.yaml'), 'utf8').split('\n')[0];
    assert.equal(
      r.stdout,
      `touch: cannot touch '/work/x': Read-only file system\nls: cannot access '/root/.ssh': No such file or directory\n${first}\n`,
    );
    assert.ok(!fs.existsSync(example('x')));
  });

  test("the README's first command is the hello example and it runs", async () => {
    const readme = path.join(repoRoot(), 'README.md');
    assert.ok(fs.existsSync(readme), 'README.md is missing');
    const line = fs.readFileSync(readme, 'utf8').split('\n').find((l) => /\btsbox run\b/.test(l));
    assert.ok(line, 'no `tsbox run` command in README.md');
    const cmd = line.slice(line.indexOf('tsbox run'));
    assert.equal(cmd, "tsbox run examples/hello.yaml -- sh -c 'id; ls /work'");
    const r = await runNative('sh', ['-c', `bin/tsbox ${cmd.slice('tsbox '.length)}`], { cwd: repoRoot() }); // what npx runs
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^uid=\d+\(\w+\) gid=\d+/);
    assert.match(r.stdout, /^hello\.yaml$/m);
  });
});

describe('examples/ci-build.yaml', () => {
  let listener: Awaited<ReturnType<typeof tcpListener>>;
  let port = 0;
  before(async () => {
    listener = await tcpListener();
    port = listener.port;
  });
  after(() => listener.close());

  test('the project is at /work (the cwd), credentials in the environment are removed', async () => {
    const env = { ...process.env, GITHUB_TOKEN: 'ghp_secret', NPM_TOKEN: 'npm_secret', AWS_SECRET_ACCESS_KEY: 'aws', KEEP_ME: 'kept' };
    const r = await runTsbox(
      ['run', example('ci-build.yaml'), '--', 'sh', '-c', 'pwd; head -c 20 package.json; echo; echo "CI=$CI HOME=$HOME KEEP_ME=$KEEP_ME"; env | grep -E "TOKEN|SECRET" || echo "no secrets"'],
      { env },
    );
    assert.equal(r.code, 0, show(r));
    const pkgHead = fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8').slice(0, 20);
    assert.equal(r.stdout, `/work\n${pkgHead}\nCI=true HOME=/tmp KEEP_ME=kept\nno secrets\n`);
  });

  test('home secrets are hidden (ENOENT) where they exist on this host', async () => {
    const candidates = ['/root/.ssh', '/root/.aws', '/root/.gnupg', '/root/.npmrc', '/root/.netrc', '/root/.git-credentials', '/root/.docker', '/root/.kube', '/root/.config/gh', '/home'];
    const present = candidates.filter((p) => fs.existsSync(p));
    assert.ok(present.length > 0, 'none of the hidden paths exists here: the test would prove nothing');
    const r = await runTsbox(['run', example('ci-build.yaml'), '--', 'sh', '-c', present.map((p) => `ls -d ${p} 2>&1`).join('; ')]);
    assert.equal(
      r.stdout,
      present.map((p) => `ls: cannot access '${p}': No such file or directory\n`).join(''),
      show(r),
    );
  });

  test('network syscalls are refused, unix sockets work, namespaces are refused', async () => {
    const udir = makeTmpDir();
    const r = await runTsbox(['run', example('ci-build.yaml'), '--', 'sh', '-c', `${helper('socketcheck')} ${port} ${udir}; unshare -U true; echo "unshare=$?"`]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^socket AF_INET SOCK_STREAM => EACCES$/m);
    assert.match(r.stdout, /^socket AF_INET6 SOCK_STREAM => EACCES$/m);
    assert.match(r.stdout, /^connect 127\.0\.0\.1:PORT => EACCES \(socket\)$/m);
    assert.match(r.stdout, /^unix stream => "y"$/m);
    assert.match(r.stdout, /^unshare=1$/m);
    assert.ok(programStderr(r.stderr).some((l) => /unshare.*Operation not permitted/.test(l)), r.stderr);
  });

  test('threads and a real toolchain (node) work despite clone3 → ENOSYS', async () => {
    const r = await runTsbox(['run', example('ci-build.yaml'), '--', 'sh', '-c', `${helper('threads')} -n 50 /work /work/package.json /home && node -e "console.log(require('/work/package.json').name)"`]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^t0 stat \/work\/package\.json => reg$/m);
    assert.match(r.stdout, /^t0 stat \/home => ENOENT$/m);
    assert.match(r.stdout, /^ok\ntsbox\n$/m);
  });

  test('denials are logged as JSON lines on stderr (log.denials: true)', async () => {
    const r = await runTsbox(['run', example('ci-build.yaml'), '--', 'sh', '-c', 'unshare -U true 2>/dev/null; echo done']);
    assert.equal(r.stdout, 'done\n', show(r));
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.syscall === 'unshare');
    assert.ok(line, r.stderr);
    assert.equal(typeof line.pid, 'number');
    assert.ok(Array.isArray(line.args));
    assert.match(String(line.action), /den/);
  });
});

describe('examples/fake-root.yaml', () => {
  test('id says root; chown root:root "succeeds" and the real owner stays', async () => {
    const dir = makeTmpDir();
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, '');
    if (isRoot()) fs.chownSync(f, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
    const before = fs.statSync(f);
    const r = await runTsbox(['run', example('fake-root.yaml'), '--', 'sh', '-c', `id; touch ${f} && chown root:root ${f}; echo "chown=$?"`]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^uid=0\(root\) gid=0\(root\)[^\n]*\nchown=0\n$/);
    const st = fs.statSync(f);
    assert.equal(st.uid, before.uid);
    assert.equal(st.gid, before.gid);
    assert.equal(r.stderr, '', 'log.denials is false: nothing on stderr');
  });
});
