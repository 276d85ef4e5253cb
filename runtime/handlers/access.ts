// What `access: rw | ro | none` means for each kind of operation, as an errno.
import { ERRNO } from '../../arch/index.js';
import type { Access } from '../../policy/plan.js';
import type { Intent } from './path-table.js';

/** The errno a rule gives for an intent, or 0 when allowed. */
export function accessErrno(access: Access | undefined, intent: Intent): number {
  if (access === 'none') return ERRNO.ENOENT; // hidden: as if it did not exist
  if (access === 'ro' && intent !== 'read' && intent !== 'exec') return ERRNO.EROFS; // like a read-only mount
  return 0;
}
