// OCI image layout (image-spec v1): index.json → (nested indexes →) an image manifest → its
// layers, bottom first. When several platforms are listed, linux/amd64 is taken (tsbox runs
// x86_64 programs); attestation manifests (buildx provenance) are not images and are ignored.
// Several distinct images need --ref (matched against the ref.name annotations).

import { blobPath, readJson } from './blob-store.js';
import type { BlobStore } from './blob-store.js';
import { ImportError } from './errors.js';
import { refMatches, type ImagePlan } from './image-plan.js';

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const REF_KEYS = ['org.opencontainers.image.ref.name', 'io.containerd.image.name'];
const MAX_NESTING = 4;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptors(doc: unknown, key: 'manifests' | 'layers', where: string): Descriptor[] {
  const list = isObject(doc) ? doc[key] : undefined;
  if (!Array.isArray(list) || !list.every((d) => isObject(d) && typeof d.digest === 'string')) {
    throw new ImportError(`${where} has no valid "${key}" list`);
  }
  return list as Descriptor[];
}

const refNames = (d: Descriptor) => REF_KEYS.map((k) => d.annotations?.[k]).filter((n): n is string => typeof n === 'string');
const platformOf = (d: Descriptor) => (d.platform ? `${d.platform.os ?? '?'}/${d.platform.architecture ?? '?'}` : null);
const short = (digest: string) => digest.replace(/^([^:]+:)?(.{12}).*$/, '$2');

function choose(all: Descriptor[], ref: string | undefined, where: string): Descriptor {
  let c = all.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown');
  if (ref !== undefined) {
    c = c.filter((d) => refNames(d).some((n) => refMatches(ref, n)));
    if (c.length === 0) {
      const names = all.flatMap(refNames);
      throw new ImportError(`${where} has no image named "${ref}" (${names.length ? `names: ${names.join(', ')}` : 'no image has a name'})`);
    }
  }
  if (c.some((d) => d.platform)) {
    const amd64 = c.filter((d) => d.platform?.os === 'linux' && d.platform?.architecture === 'amd64');
    if (amd64.length === 0) {
      const platforms = [...new Set(c.map(platformOf).filter(Boolean))].join(', ');
      throw new ImportError(`${where} has no linux/amd64 image (only ${platforms}): tsbox runs x86_64 programs`);
    }
    c = amd64;
  }
  if (c.length === 0) throw new ImportError(`${where} lists no image`);
  if (new Set(c.map((d) => d.digest)).size > 1) {
    const names = c.map((d) => refNames(d)[0] ?? short(d.digest));
    throw new ImportError(`${where} holds ${c.length} images (${names.join(', ')}): choose one with --ref NAME`);
  }
  return c[0];
}

export function ociPlan(store: BlobStore, ref: string | undefined): ImagePlan {
  const index = readJson(store, 'index.json', 'index.json', null);
  let desc = choose(descriptors(index, 'manifests', 'index.json'), ref, 'index.json');
  const name = ref ?? refNames(desc)[0] ?? short(desc.digest);
  let platform = platformOf(desc);
  for (let depth = 0; depth <= MAX_NESTING; depth++) {
    const where = `manifest ${short(desc.digest)}`;
    const doc = readJson(store, blobPath(desc.digest), `manifest ${short(desc.digest)}`, desc.digest);
    const type = desc.mediaType ?? (isObject(doc) && typeof doc.mediaType === 'string' ? doc.mediaType : undefined);
    if ((type !== undefined && INDEX_TYPES.has(type)) || (isObject(doc) && Array.isArray(doc.manifests) && !Array.isArray(doc.layers))) {
      desc = choose(descriptors(doc, 'manifests', where), undefined, where);
      platform = platformOf(desc) ?? platform;
      continue;
    }
    const layers = descriptors(doc, 'layers', where).map((l) => {
      const member = blobPath(l.digest);
      if (!store.locate(member)) {
        const foreign = /nondistributable|foreign/.test(l.mediaType ?? '');
        throw new ImportError(`layer ${short(l.digest)} is not in the layout${foreign ? ' (a non-distributable layer: pull it with its registry URL first)' : ''}`);
      }
      return { name: member, digest: l.digest };
    });
    const count = `${layers.length} layer${layers.length === 1 ? '' : 's'}`;
    return { description: `OCI image ${name} (${platform ? `${platform}, ` : ''}${count})`, layers };
  }
  throw new ImportError(`image indexes nested more than ${MAX_NESTING} deep`);
}
