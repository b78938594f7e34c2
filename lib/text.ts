/**
 * Folds text for search and ordering: Unicode compatibility decomposition,
 * combining marks removed (so "Kestävä" matches "kestava"), lower case,
 * whitespace collapsed. Stored search/sort columns and user input go through
 * the same function, so matching works the same on every database.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes LIKE wildcards; use with `escape '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

export const LIKE_ESCAPE = "escape '\\'";

/** `%text%` for a folded, escaped search text. */
export function containsPattern(folded: string): string {
  return `%${escapeLike(folded)}%`;
}

/** `text%` for a folded, escaped search text. */
export function prefixPattern(folded: string): string {
  return `${escapeLike(folded)}%`;
}
