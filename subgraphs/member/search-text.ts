import { foldText } from '../../lib/text.js';

/*
 * The derived columns an offering is sorted and searched by (queries.ts):
 * every writer of offerings - the demo, the file import, curation through the
 * graph, the OEAPI sync - computes them here, so search finds the same words
 * whoever wrote the offering.
 */

/** The folded title offerings sort by. */
export function offeringSortTitle(title: string): string {
  return foldText(title);
}

/** The folded text an offering is searched by: title, description and its outcomes' descriptions. */
export function offeringSearchText(title: string, description: string | null | undefined, outcomes: readonly string[]): string {
  return foldText([title, description ?? '', ...outcomes].filter((part) => part !== '').join(' \n '));
}
