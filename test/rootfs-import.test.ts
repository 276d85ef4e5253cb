// `tsbox rootfs import`: images built here from scratch (no network, no docker) — a docker-export
// style tarball made with tar, OCI layouts with whiteouts, a docker save archive, and hostile
// archives — imported by the real CLI, partly as uid 65534, and the resulting trees checked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { devRootfsPolicy } from './lib/rootfs.js';
import { isRoot, makeTmpDir, runTsbox, skipUnlessUnprivileged, UNPRIVILEGED_UID, type User } from './lib/run.js';

// ---- building archives -------------------------------------------------------------------

interface Member {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  data?: string;
  linkname?: string;
  mode?: number;
}

/** A ustar archive written byte by byte, for entries `tar` would refuse to create. */
function ustar(members: Member[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const type = m.type ?? 'file';
    const data = Buffer.from(m.data ?? '');
    const h = Buffer.alloc(512);
    h.write(m.name, 0, 100, 'utf8');
    const octal = (v: number, len: number) => `${v.toString(8).padStart(len - 1, '0')}\0`;
    h.write(octal(m.mode ?? (type === 'dir' ? 0o755 : 0o644), 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(type === 'file' ? data.length : 0, 12), 124);
    h.write(octal(1_700_000_000, 12), 136);
    h.write({ file: '0', hardlink: '1', symlink: '2', dir: '5' }[type], 156);
    h.write(m.linkname ?? '', 157, 100, 'utf8');
    h.write('ustar\0' + '00', 257, 'latin1');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(h);
    if (type === 'file' && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** `tar` of a folder's contents ("./…" names, as `docker export` gives but with a ./ prefix). */
function tarOfFolder(dir: string, format: 'gnu' | 'pax' = 'gnu'): Buffer {
  return execFileSync('tar', [`--format=${format}`, '-C', dir, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
}

function write(file: string, data: string | Buffer, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  fs.chmodSync(file, mode);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Adds a blob to an OCI layout folder; returns its descriptor. */
function blob(layout: string, data: Buffer, mediaType: string, extra: object = {}) {
  const hex = sha256(data);
  write(path.join(layout, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length, ...extra };
}

const LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** An image manifest over `layers` (tar bytes, gzipped when asked); returns its descriptor. */
function image(layout: string, layers: { tar: Buffer; gzip: boolean }[], extra: object = {}) {
  const config = blob(layout, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), 'application/vnd.oci.image.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    config,
    layers: layers.map((l) => (l.gzip ? blob(layout, gzipSync(l.tar), LAYER_GZIP) : blob(layout, l.tar, LAYER_TAR))),
  };
  return blob(layout, Buffer.from(JSON.stringify(manifest)), MANIFEST, extra);
}

function writeIndex(layout: string, manifests: object[]): void {
  write(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  write(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
}

// ---- running the import ------------------------------------------------------------------

/** Imports `source` into a new folder owned by `user`; asserts success, returns the folder and stderr. */
async function importOk(source: string, user: User = 'self', extra: string[] = []): Promise<{ dir: string; stderr: string }> {
  const dir = path.join(makeTmpDir({ forUser: user, prefix: 'tsbox-import-' }), 'rootfs');
  const r = await runTsbox(['rootfs', 'import', ...extra, source, dir], { user });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one summary line, got:\n${r.stderr}`);
  assert.match(lines[0], /^tsbox: rootfs import: .* → .*: \d+ entries/);
  assert.doesNotMatch(r.stderr, /\r|\x1b/, 'no progress display when stderr is not a terminal');
  return { dir, stderr: r.stderr };
}

async function importFails(source: string, pattern: RegExp, user: User = 'self', extra: string[] = []): Promise<string> {
  const dir = path.join(makeTmpDir({ forUser: user, prefix: 'tsbox-import-' }), 'rootfs');
  const r = await runTsbox(['rootfs', 'import', ...extra, source, dir], { user });
  assert.equal(r.code, 125, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one error line, got:\n${r.stderr}`);
  assert.match(lines[0], /^tsbox: rootfs import: /);
  assert.match(lines[0], pattern);
  return dir;
}

const read = (p: string) => fs.readFileSync(p, 'utf8');
const mode = (p: string) => fs.lstatSync(p).mode & 0o7777;
const ls = (p: string) => fs.readdirSync(p).sort();

// ---- docker export style ------------------------------------------------------------------

const LONG = `usr/share/${'a-fairly-long-folder-name/'.repeat(6)}and-a-file-name-past-one-hundred-bytes.txt`;

/** A small root filesystem as a folder: what `docker export` would tar. */
function exportFolder(): string {
  const root = path.join(makeTmpDir({ prefix: 'tsbox-export-' }), 'root');
  write(path.join(root, 'usr/bin/hello'), '#!/bin/sh\necho hello\n', 0o755);
  write(path.join(root, 'usr/bin/setid'), 'not really a program\n', 0o4755);
  write(path.join(root, 'etc/motd'), 'welcome\n');
  write(path.join(root, 'etc/shadow'), 'root:*:1::::::\n', 0o400);
  write(path.join(root, LONG), 'long\n');
  fs.linkSync(path.join(root, 'etc/motd'), path.join(root, 'etc/motd.hard'));
  fs.symlinkSync('usr/bin', path.join(root, 'bin'));
  fs.symlinkSync('/etc/motd', path.join(root, 'etc/motd.abs'));
  fs.symlinkSync(`/${LONG}`, path.join(root, 'long-link')); // target past 100 bytes: 'K' / linkpath
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(root, 'proc'));
  fs.chmodSync(path.join(root, 'proc'), 0o555);
  execFileSync('mkfifo', [path.join(root, 'run-fifo')]);
  // Last, as later writes would change them: mtimes come through (folders' too).
  fs.utimesSync(path.join(root, 'usr/bin/hello'), 1_600_000_000, 1_600_000_000);
  fs.utimesSync(path.join(root, 'usr/bin'), 1_500_000_000, 1_500_000_000);
  return root;
}

function assertExportTree(dir: string, user: User): void {
  assert.deepEqual(ls(dir), ['bin', 'etc', 'long-link', 'proc', 'tmp', 'usr']); // the FIFO is skipped
  assert.equal(read(path.join(dir, 'usr/bin/hello')), '#!/bin/sh\necho hello\n');
  assert.equal(mode(path.join(dir, 'usr/bin/hello')), 0o755);
  assert.equal(read(path.join(dir, 'etc/motd')), 'welcome\n');
  assert.equal(mode(path.join(dir, 'etc/shadow')), 0o600, 'the owner (fake root) can read and write everything');
  assert.equal(mode(path.join(dir, 'tmp')), 0o1777);
  assert.equal(mode(path.join(dir, 'proc')), 0o755, 'folders stay writable by their owner');
  assert.equal(read(path.join(dir, LONG)), 'long\n');
  assert.equal(fs.readlinkSync(path.join(dir, 'bin')), 'usr/bin');
  assert.equal(fs.readlinkSync(path.join(dir, 'etc/motd.abs')), '/etc/motd');
  assert.equal(fs.readlinkSync(path.join(dir, 'long-link')), `/${LONG}`);
  const a = fs.statSync(path.join(dir, 'etc/motd'));
  const b = fs.statSync(path.join(dir, 'etc/motd.hard'));
  assert.equal(a.ino, b.ino, 'a hardlink stays a hardlink');
  assert.equal(a.nlink, 2);
  assert.equal(fs.lstatSync(path.join(dir, 'usr/bin/hello')).mtimeMs, 1_600_000_000_000);
  assert.equal(fs.lstatSync(path.join(dir, 'usr/bin')).mtimeMs, 1_500_000_000_000);
  const uid = user === 'unprivileged' && isRoot() ? UNPRIVILEGED_UID : process.getuid!();
  assert.equal(fs.lstatSync(path.join(dir, 'usr/bin/hello')).uid, uid, 'files belong to the importing user');
  // setuid: kept for an ordinary user (setuid to oneself), cleared when root imports.
  assert.equal(mode(path.join(dir, 'usr/bin/setid')), uid === 0 ? 0o755 : 0o4755);
}

test('a docker-export style tarball (GNU format) imports with links, modes and long names', async () => {
  const src = path.join(makeTmpDir(), 'export.tar');
  fs.writeFileSync(src, tarOfFolder(exportFolder(), 'gnu'));
  const { dir, stderr } = await importOk(src);
  assertExportTree(dir, 'self');
  assert.match(stderr, /rootfs tarball/);
  assert.match(stderr, /skipped 1 device nodes\/FIFOs/);
  if (isRoot()) assert.match(stderr, /cleared setuid\/setgid on 1 files/);
});

test('a gzipped pax tarball imports as uid 65534, keeping setuid bits', { skip: skipUnlessUnprivileged() }, async () => {
  const src = path.join(makeTmpDir(), 'export.tar.gz');
  fs.writeFileSync(src, gzipSync(tarOfFolder(exportFolder(), 'pax')));
  fs.chmodSync(src, 0o644);
  const { dir } = await importOk(src, 'unprivileged');
  assertExportTree(dir, 'unprivileged');
});

test('the destination must be new or empty; missing, compressed or broken sources are one clear line', async () => {
  const tmp = makeTmpDir();
  const src = path.join(tmp, 'export.tar');
  fs.writeFileSync(src, ustar([{ name: 'etc/motd', data: 'hi\n' }]));
  const full = makeTmpDir();
  fs.writeFileSync(path.join(full, 'x'), '');
  const r = await runTsbox(['rootfs', 'import', src, full]);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^tsbox: rootfs import: .*: not empty: import into a new or empty folder\n$/);

  await importFails(path.join(tmp, 'nope.tar'), /nope\.tar: no such file or folder$/);
  const zst = path.join(tmp, 'x.tar.zst');
  fs.writeFileSync(zst, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
  await importFails(zst, /zstd-compressed data: .*\(zstd -d\)$/);
  const text = path.join(tmp, 'notes.txt');
  fs.writeFileSync(text, 'hello, this is not a tar archive\n'.repeat(40));
  await importFails(text, /not a tar archive/);
  fs.writeFileSync(text, 'short\n');
  await importFails(text, /not a tar archive/);
  const truncated = path.join(tmp, 'truncated.tar');
  fs.writeFileSync(truncated, ustar([{ name: 'etc/big', data: 'x'.repeat(5000) }]).subarray(0, 2048));
  await importFails(truncated, /truncated tar archive/);
});

// ---- hostile archives ---------------------------------------------------------------------

test('entries naming ".." or an absolute path are refused, and nothing is written outside', async () => {
  const tmp = makeTmpDir();
  const outside = makeTmpDir({ prefix: 'tsbox-outside-' });
  for (const [name, members, pattern] of [
    ['dotdot', [{ name: 'etc/ok', data: 'ok' }, { name: '../escape', data: 'pwned' }], /"\.\.\/escape" climbs out with "\.\."/],
    ['deep', [{ name: 'a/b/../../../escape', data: 'pwned' }], /climbs out/],
    ['absolute', [{ name: `${outside}/escape`, data: 'pwned' }], /has an absolute name/],
    ['hardlink', [{ name: 'passwd', type: 'hardlink', linkname: '../../../../etc/passwd' }], /climbs out/],
  ] as [string, Member[], RegExp][]) {
    const src = path.join(tmp, `${name}.tar`);
    fs.writeFileSync(src, ustar(members));
    const dir = await importFails(src, pattern);
    assert.equal(fs.existsSync(path.join(path.dirname(dir), 'escape')), false, name);
  }
  assert.deepEqual(ls(outside), []);
});

test('symlinks planted by earlier entries are resolved inside the rootfs, never followed out', async () => {
  const tmp = makeTmpDir();
  const outside = makeTmpDir({ prefix: 'tsbox-outside-' });
  write(path.join(outside, 'target'), 'host file\n');
  const src = path.join(tmp, 'tricks.tar');
  fs.writeFileSync(src, ustar([
    { name: 'evil', type: 'symlink', linkname: outside },          // absolute: the guest's own path
    { name: 'evil/pwned', data: 'inside\n' },
    { name: 'up', type: 'symlink', linkname: '../../../../..' },     // ".." stops at the rootfs
    { name: 'up/pwned2', data: 'inside too\n' },
    { name: 'link', type: 'hardlink', linkname: 'evil/target' },     // no such member inside
    { name: 'evil', type: 'symlink', linkname: '/etc/passwd' },      // replaced, not written through
    { name: 'evil', data: 'a file now\n' },
  ]));
  const { dir, stderr } = await importOk(src);
  assert.equal(read(path.join(dir, outside, 'pwned')), 'inside\n');
  assert.equal(read(path.join(dir, 'pwned2')), 'inside too\n');
  assert.equal(read(path.join(dir, 'evil')), 'a file now\n');
  assert.equal(fs.existsSync(path.join(dir, 'link')), false);
  assert.match(stderr, /skipped 1 hardlinks to missing members/);
  assert.deepEqual(ls(outside), ['target']);
  assert.equal(read(path.join(outside, 'target')), 'host file\n');
  assert.equal(fs.statSync(path.join(outside, 'target')).nlink, 1);
  assert.notEqual(read('/etc/passwd'), 'a file now\n');
});

// ---- OCI image layouts --------------------------------------------------------------------

/** Layer 1: a base tree. Layer 2: whiteouts, an opaque folder, and a write through lib -> usr/lib. */
function twoLayers(): { tar: Buffer; gzip: boolean }[] {
  const base = path.join(makeTmpDir({ prefix: 'tsbox-layer-' }), 'l1');
  write(path.join(base, 'etc/keep'), 'keep\n');
  write(path.join(base, 'etc/gone'), 'gone\n');
  write(path.join(base, 'opt/dir/a'), 'a\n');
  write(path.join(base, 'opt/dir/sub/deep'), 'deep\n');
  write(path.join(base, 'opt/sibling'), 'sibling\n');
  write(path.join(base, 'usr/lib/libc.so'), 'libc\n');
  write(path.join(base, 'var/replaced'), 'a file in layer 1\n');
  fs.symlinkSync('usr/lib', path.join(base, 'lib'));
  const layer2 = ustar([
    { name: 'etc/', type: 'dir' },
    { name: 'etc/.wh.gone' },
    { name: 'opt/dir/', type: 'dir' },
    { name: 'opt/dir/kept-from-this-layer', data: 'written before the marker\n' }, // order must not matter
    { name: 'opt/dir/.wh..wh..opq' },
    { name: 'opt/dir/new', data: 'new\n' },
    { name: 'lib/extra.so', data: 'extra\n' }, // no "lib/" entry: goes through the symlink
    { name: 'var/replaced/', type: 'dir' },
    { name: 'var/replaced/now-a-folder', data: 'x\n' },
  ]);
  return [{ tar: tarOfFolder(base), gzip: true }, { tar: layer2, gzip: false }];
}

function assertTwoLayerTree(dir: string): void {
  assert.deepEqual(ls(path.join(dir, 'etc')), ['keep']);
  assert.deepEqual(ls(path.join(dir, 'opt')), ['dir', 'sibling']);
  assert.deepEqual(ls(path.join(dir, 'opt/dir')), ['kept-from-this-layer', 'new']);
  assert.equal(read(path.join(dir, 'opt/dir/new')), 'new\n');
  assert.equal(fs.readlinkSync(path.join(dir, 'lib')), 'usr/lib');
  assert.deepEqual(ls(path.join(dir, 'usr/lib')), ['extra.so', 'libc.so']);
  assert.deepEqual(ls(path.join(dir, 'var/replaced')), ['now-a-folder']);
  for (const name of ls(dir)) assert.doesNotMatch(name, /^\.wh\./);
}

/** An OCI layout whose index points at a nested index listing arm64 and amd64 images. */
function ociLayout(): string {
  const layout = path.join(makeTmpDir({ prefix: 'tsbox-oci-' }), 'layout');
  const amd64 = image(layout, twoLayers(), { platform: { os: 'linux', architecture: 'amd64' } });
  const arm64 = image(layout, [{ tar: ustar([{ name: 'etc/arch', data: 'arm64\n' }]), gzip: true }], { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  const attestation = image(layout, [{ tar: ustar([{ name: 'provenance.json', data: '{}' }]), gzip: false }], {
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
  });
  const nested = blob(layout, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [arm64, amd64, attestation] })), INDEX, {
    annotations: { 'org.opencontainers.image.ref.name': 'bookworm' },
  });
  writeIndex(layout, [nested]);
  return layout;
}

test('an OCI layout folder: linux/amd64 chosen from a nested index, layers applied with whiteouts', async () => {
  const { dir, stderr } = await importOk(ociLayout());
  assertTwoLayerTree(dir);
  assert.match(stderr, /OCI image bookworm \(linux\/amd64, 2 layers\)/);
  assert.match(stderr, /2 whiteouts applied/);
});

test('an OCI layout as a tar, and gzipped, imports as uid 65534', { skip: skipUnlessUnprivileged() }, async () => {
  const tmp = makeTmpDir();
  const tar = path.join(tmp, 'layout.tar');
  fs.writeFileSync(tar, tarOfFolder(ociLayout()));
  assertTwoLayerTree((await importOk(tar, 'unprivileged')).dir);
  const tgz = path.join(tmp, 'layout.tar.gz');
  fs.writeFileSync(tgz, gzipSync(fs.readFileSync(tar)));
  const { dir } = await importOk(tgz, 'unprivileged');
  assertTwoLayerTree(dir);
  assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['rootfs'], 'the unpacked copy of the gzipped image is removed');
});

test('several images need --ref; a corrupt layer fails its digest check', async () => {
  const layout = path.join(makeTmpDir({ prefix: 'tsbox-oci-' }), 'layout');
  const one = image(layout, [{ tar: ustar([{ name: 'etc/which', data: 'one\n' }]), gzip: true }], { annotations: { 'org.opencontainers.image.ref.name': 'one' } });
  const two = image(layout, [{ tar: ustar([{ name: 'etc/which', data: 'two\n' }]), gzip: false }], { annotations: { 'org.opencontainers.image.ref.name': 'two' } });
  writeIndex(layout, [one, two]);
  await importFails(layout, /holds 2 images \(one, two\): choose one with --ref NAME$/);
  await importFails(layout, /has no image named "three" \(names: one, two\)$/, 'self', ['--ref', 'three']);
  const { dir } = await importOk(layout, 'self', ['--ref', 'two']);
  assert.equal(read(path.join(dir, 'etc/which')), 'two\n');

  // Flip one byte of the plain layer of "two": the layer no longer matches its digest.
  const manifest = JSON.parse(read(path.join(layout, 'blobs', 'sha256', two.digest.slice(7)))) as { layers: { digest: string }[] };
  const layer = path.join(layout, 'blobs', 'sha256', manifest.layers[0].digest.slice(7));
  const bytes = fs.readFileSync(layer);
  bytes[600] ^= 1; // in the padding after the file data: still a valid tar
  fs.writeFileSync(layer, bytes);
  await importFails(layout, /layer 1\/1 \(sha256:[0-9a-f]+\): the layer does not match its digest/, 'self', ['--ref', 'two']);
});

test('a docker save archive (legacy layout, a repeated layer symlinked) imports', async () => {
  const save = path.join(makeTmpDir({ prefix: 'tsbox-save-' }), 'save');
  const l1 = 'a'.repeat(64);
  const l2 = 'b'.repeat(64);
  write(path.join(save, l1, 'layer.tar'), ustar([{ name: 'etc/', type: 'dir' }, { name: 'etc/one', data: '1\n' }, { name: 'etc/gone', data: 'x' }]));
  write(path.join(save, l2, 'layer.tar'), ustar([{ name: 'etc/.wh.gone' }, { name: 'etc/two', data: '2\n' }]));
  fs.mkdirSync(path.join(save, 'c'.repeat(64)));
  fs.symlinkSync(`../${l1}/layer.tar`, path.join(save, 'c'.repeat(64), 'layer.tar'));
  write(path.join(save, 'manifest.json'), JSON.stringify([
    { Config: 'config.json', RepoTags: ['example/app:1.0'], Layers: [`${l1}/layer.tar`, `${l2}/layer.tar`, `${'c'.repeat(64)}/layer.tar`] },
  ]));
  const src = path.join(path.dirname(save), 'save.tar');
  fs.writeFileSync(src, tarOfFolder(save));
  const { dir, stderr } = await importOk(src);
  assert.deepEqual(ls(path.join(dir, 'etc')), ['gone', 'one', 'two'], 'the third layer (the first again) brings etc/gone back');
  assert.match(stderr, /docker save image example\/app:1\.0 \(3 layers\)/);
});

// ---- the dev-environment example ----------------------------------------------------------

test('examples/dev-rootfs.yaml validates next to an imported rootfs and a project', async () => {
  const src = path.join(makeTmpDir(), 'export.tar');
  fs.writeFileSync(src, tarOfFolder(exportFolder()));
  const { dir } = await importOk(src);
  const project = makeTmpDir({ prefix: 'tsbox-project-' });
  const policy = devRootfsPolicy(dir, project);
  const r = await runTsbox(['check', policy]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /root/i);
  assert.ok(r.stdout.includes(fs.realpathSync(dir)), r.stdout);
});
