// `docker save` archives: manifest.json lists each image's layers (member names, bottom first).
// Docker before v25 names them "<id>/layer.tar" (no digest to check); v25+ names them
// "blobs/sha256/<digest>", which is checked.

import type { BlobStore } from './blob-store.js';
import { readJson } from './blob-store.js';
import { ImportError } from './errors.js';
import { refMatches, type ImagePlan } from './image-plan.js';

interface Entry {
  RepoTags?: string[] | null;
  Layers: string[];
}

function isEntry(v: unknown): v is Entry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return Array.isArray(e.Layers) && e.Layers.every((l) => typeof l === 'string')
    && (e.RepoTags == null || (Array.isArray(e.RepoTags) && e.RepoTags.every((t) => typeof t === 'string')));
}

export function dockerSavePlan(store: BlobStore, ref: string | undefined): ImagePlan {
  const doc = readJson(store, 'manifest.json', 'manifest.json', null);
  if (!Array.isArray(doc) || doc.length === 0 || !doc.every(isEntry)) {
    throw new ImportError(`manifest.json is not a docker save manifest (a list of {RepoTags, Layers})`);
  }
  const tags = (e: Entry) => e.RepoTags ?? [];
  let images: Entry[] = doc;
  if (ref !== undefined) {
    images = images.filter((e) => tags(e).some((t) => refMatches(ref, t)));
    if (images.length === 0) throw new ImportError(`no image tagged "${ref}" (tags: ${doc.flatMap(tags).join(', ') || 'none'})`);
  }
  if (images.length > 1) {
    throw new ImportError(`manifest.json lists ${images.length} images (${images.map((e) => tags(e)[0] ?? 'untagged').join(', ')}): choose one with --ref TAG`);
  }
  const image = images[0];
  const layers = image.Layers.map((name) => {
    const m = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(name);
    return { name, digest: m ? `${m[1]}:${m[2]}` : null };
  });
  const n = layers.length;
  return { description: `docker save image ${tags(image)[0] ?? 'untagged'} (${n} layer${n === 1 ? '' : 's'})`, layers };
}
