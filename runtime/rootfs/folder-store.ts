// An image kept as a folder: an OCI image layout (`skopeo copy … oci:DIR`, `docker save` v25+
// unpacked, `buildah push … oci:DIR`) or an unpacked `docker save`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BlobStore } from './blob-store.js';
import type { Range } from './layer-stream.js';

export class FolderStore implements BlobStore {
  constructor(private readonly root: string) {}

  locate(name: string): Range | null {
    // Names come from the image's JSON: never let them leave the folder.
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (name.startsWith('/') || parts.includes('..')) return null;
    const file = path.join(this.root, ...parts);
    try {
      const st = fs.statSync(file);
      return st.isFile() ? { file, start: 0, length: st.size } : null;
    } catch {
      return null;
    }
  }
}
