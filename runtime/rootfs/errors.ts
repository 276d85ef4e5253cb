// The one error type of `tsbox rootfs import`: its message is the whole user-facing line (the
// CLI prints it after "tsbox: " and exits 125). Anything else that escapes is a bug.

export class ImportError extends Error {
  override name = 'ImportError';
}

/** The errno code of a Node fs error ("ENOENT"), or null. */
export function errnoCode(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** A short reason for an fs error: "EACCES" or the message. */
export function reason(e: unknown): string {
  return errnoCode(e) ?? (e instanceof Error ? e.message : String(e));
}
