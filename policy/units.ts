// Durations ("10m", "1h30m", "500ms", or a number of seconds) and sizes ("2GiB", "512M", or a
// number of bytes) as users write them in `limits:`. Sizes follow Docker: a bare K/M/G/T suffix is
// binary (1024-based), KB/MB/GB/TB are decimal, KiB/MiB/GiB/TiB binary.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when the text is not a duration. A bare number means seconds. */
export function parseDuration(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : null;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const part = /\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy; // "1h30m", "1h 30m"
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed = part.lastIndex;
  }
  return consumed > 0 && consumed === text.length ? Math.round(total) : null;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
};

/** Bytes, or null when the text is not a size. */
export function parseSize(v: number | string): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
