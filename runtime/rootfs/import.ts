// `tsbox rootfs import SOURCE DIR`, rootless: unpacks a root filesystem from a `docker export`
// tarball (plain or gzip), an OCI image layout (folder or tar) or a `docker save` archive into a
// new or empty DIR, applying image layers bottom first. No root, no namespaces, no tar binary:
// ownership becomes the importing user's, which is what the sandbox's fake root expects.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDigest, digestAlgorithm, type BlobStore } from './blob-store.js';
import { ConfinedDir } from './confined-dir.js';
import { compressionOf, kindOfMember, readHead } from './detect.js';
import { ImportError, errnoCode, reason } from './errors.js';
import { FolderStore } from './folder-store.js';
import { planImage, type LayerRef } from './image-plan.js';
import { feed, type Range } from './layer-stream.js';
import { Progress } from './progress.js';
import { TarParser } from './tar-reader.js';
import { TarStore } from './tar-store.js';
import { TreeWriter, type TreeCounts } from './tree-writer.js';

export interface ImportOptions {
  /** Which image, when SOURCE holds several (tag or OCI ref name). */
  ref?: string;
  progress?: Progress;
}

export interface ImportResult {
  /** "rootfs tarball", "OCI image debian:bookworm (linux/amd64, 1 layer)". */
  description: string;
  /** The destination, realpathed. */
  dir: string;
  counts: TreeCounts;
  seconds: number;
}

/** Prefixes errors thrown by `fn` with where they happened. */
async function within<T>(where: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ImportError) throw new ImportError(`${where}: ${e.message}`);
    throw e;
  }
}

/** DIR must be new or an empty folder: layering onto an unrelated tree would mix two systems. */
function prepareDestination(dest: string): string {
  const abs = path.resolve(dest);
  try {
    const st = fs.statSync(abs);
    if (!st.isDirectory()) throw new ImportError('exists and is not a folder');
    if (fs.readdirSync(abs).length > 0) throw new ImportError('not empty: import into a new or empty folder');
  } catch (e) {
    if (e instanceof ImportError) throw e;
    if (errnoCode(e) !== 'ENOENT') throw new ImportError(`cannot use it: ${reason(e)}`);
    try {
      fs.mkdirSync(abs, { recursive: true });
    } catch (e2) {
      throw new ImportError(`cannot create it: ${reason(e2)}`);
    }
  }
  return fs.realpathSync(abs);
}

/** Reads entries until one tells a rootfs from an image. */
async function classify(file: string, size: number): Promise<'rootfs' | 'image'> {
  let kind: 'rootfs' | 'image' | null = null;
  const parser = new TarParser({
    entry: (e) => {
      kind ??= kindOfMember(e.name);
    },
    data: () => {},
    entryEnd: () => {},
  });
  await feed({ file, start: 0, length: size }, {
    onChunk: (chunk) => {
      parser.write(chunk);
      return kind !== null;
    },
  });
  if (kind === null) {
    parser.end();
    throw new ImportError('the archive holds no files');
  }
  return kind;
}

export async function importRootfs(source: string, dest: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const progress = opts.progress ?? new Progress();
  let st: fs.Stats;
  try {
    st = fs.statSync(source);
  } catch (e) {
    throw new ImportError(`${source}: ${errnoCode(e) === 'ENOENT' ? 'no such file or folder' : reason(e)}`);
  }
  if (!st.isFile() && !st.isDirectory()) {
    // Layouts and docker save archives are read in place, by byte range: a pipe cannot be.
    throw new ImportError(`${source}: not a file or a folder (save the archive to a file first)`);
  }
  const dir = await within(dest, () => prepareDestination(dest));

  let scratch: string | null = null;
  try {
    let description: string;
    let layers: { ref: LayerRef | null; range: Range }[];
    let store: BlobStore | null = null;
    if (st.isDirectory()) {
      store = new FolderStore(source);
    } else {
      const kind = await within(source, async () => {
        compressionOf(readHead(source));
        return classify(source, st.size);
      });
      if (kind === 'image') {
        // Next to DIR rather than in /tmp: an image can be larger than a tmpfs.
        scratch = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.import-`));
        const gunzipTo = path.join(scratch, 'image.tar');
        store = await within(source, () => TarStore.open(source, gunzipTo));
      }
    }
    if (store) {
      const s = store;
      const plan = await within(source, () => planImage(s, opts.ref));
      description = plan.description;
      layers = plan.layers.map((ref) => ({ ref, range: s.locate(ref.name)! }));
      if (layers.length === 0) throw new ImportError(`${source}: the image has no layers`);
    } else {
      if (opts.ref !== undefined) throw new ImportError(`${source}: --ref names an image, but this is a rootfs tarball`);
      description = 'rootfs tarball';
      layers = [{ ref: null, range: { file: source, start: 0, length: st.size } }];
    }

    const writer = new TreeWriter(new ConfinedDir(dir), {
      clearSetid: process.geteuid?.() === 0,
      onEntry: (c) => progress.update(c),
    });
    try {
      for (const [i, { ref, range }] of layers.entries()) {
        const where = ref
          ? `${source}, layer ${i + 1}/${layers.length} (${ref.digest ?? ref.name})`
          : source;
        progress.layer(i + 1, layers.length, writer.counts);
        writer.startLayer(ref !== null);
        await within(where, async () => {
          const parser = new TarParser(writer);
          const alg = ref?.digest ? digestAlgorithm(ref.digest) : undefined;
          const hex = await feed(range, { hash: alg, onChunk: (chunk) => void parser.write(chunk) });
          parser.end();
          if (ref?.digest) checkDigest(ref.digest, hex, 'the layer');
        });
      }
      writer.finish();
    } finally {
      writer.abort();
    }
    return { description, dir, counts: writer.counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
