// Maps a key path (["paths", 0, "access"]) back to a line and column in the YAML source, so every
// error points at the text the user wrote.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * Position of the node at `path`: of its key when `target` is 'key', else of its value. When
 * the path goes further than the document (a missing key), the deepest node that exists.
 */
export type Locate = (path: readonly PropertyKey[], target?: 'key' | 'value') => Position;

export function makeLocator(doc: Document, lines: LineCounter): Locate {
  const pos = (offset: number | undefined): Position => {
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const start = (n: unknown): number | undefined => (n && typeof n === 'object' && 'range' in n ? (n as Node).range?.[0] : undefined);

  return (path, target = 'value') => {
    let node: unknown = doc.contents;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) return pos(start(node));
        const isLast = i === path.length - 1;
        // An empty value (`errno:`) has no node of its own: point at its key.
        const empty = pair.value === null || pair.value === undefined || (isScalar(pair.value) && pair.value.value === null && pair.value.source === '');
        if ((isLast && target === 'key') || empty) return pos(start(pair.key));
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
      } else {
        return pos(start(node));
      }
    }
    return pos(start(node) ?? start(doc.contents));
  };
}
