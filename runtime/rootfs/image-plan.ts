// Which layers, in which order, make the root filesystem of the image SOURCE holds: the OCI
// layout's index.json when there is one (docker save v25+ writes both; the OCI side is the
// standard), else docker save's manifest.json.

import type { BlobStore } from './blob-store.js';
import { dockerSavePlan } from './docker-save.js';
import { ImportError } from './errors.js';
import { ociPlan } from './oci-layout.js';

export interface LayerRef {
  /** Member of the store holding the layer tar (plain or gzip). */
  name: string;
  /** Checked after reading when known ("sha256:…"). */
  digest: string | null;
}

export interface ImagePlan {
  /** "OCI image layout, debian:bookworm, linux/amd64". */
  description: string;
  layers: LayerRef[];
}

export function planImage(store: BlobStore, ref: string | undefined): ImagePlan {
  if (store.locate('index.json')) return ociPlan(store, ref);
  if (store.locate('manifest.json')) return dockerSavePlan(store, ref);
  throw new ImportError(`it is neither an OCI image layout (no index.json) nor a docker save archive (no manifest.json)`);
}

/** Whether an image name or tag given by the user names `candidate` ("debian:bookworm" names "docker.io/library/debian:bookworm"). */
export function refMatches(ref: string, candidate: string): boolean {
  return candidate === ref || candidate.endsWith(`/${ref}`) || candidate.endsWith(`:${ref}`);
}
