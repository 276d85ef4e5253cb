// "Did you mean …?" for misspelt keys, syscall names, errno names and constants.

/** Levenshtein edit distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidates closest to `word` (all of them when several tie), in candidate order; empty
 * when none is close enough to be a plausible typo. Case is ignored for the distance (so
 * "eperm" finds "EPERM") but candidates keep their case.
 */
export function nearestAll(word: string, candidates: Iterable<string>): string[] {
  const w = word.toLowerCase();
  // Short words tolerate fewer edits, or every 3-letter key would "match" every other one.
  const limit = w.length <= 3 ? 1 : w.length <= 5 ? 2 : 3;
  let best: string[] = [];
  let bestDist = limit + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d > limit) continue;
    if (d < bestDist) [best, bestDist] = [[c], d];
    else if (d === bestDist && !best.includes(c)) best.push(c);
  }
  return best;
}

/** The closest candidate, or undefined. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  return nearestAll(word, candidates)[0];
}

/** 'did you mean "x"?' (or '"x" or "y"' on a tie) when a candidate is close, else the fallback. */
export function didYouMean(word: string, candidates: Iterable<string>, fallback = ''): string {
  const found = nearestAll(word, candidates).slice(0, 3);
  return found.length > 0 ? `did you mean ${found.map((c) => `"${c}"`).join(' or ')}?` : fallback;
}
