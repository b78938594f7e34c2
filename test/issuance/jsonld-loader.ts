import { readFileSync } from 'node:fs';
import { EDC_CONTEXT, EDC_VC2_CONTEXT_FILE, VC_V2_CONTEXT } from '../../subgraphs/issuance/edc.js';
import { readEdcContext } from '../../subgraphs/issuance/server.js';

/*
 * A JSON-LD document loader over bundled contexts only: the W3C VC 2.0 and EDC
 * 3.2 contexts from the alliance's shared material, and the hub's own context
 * from the code. Any other URL fails: nothing is fetched from the network.
 */

const shared = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../../shared/credentials/${file}`, import.meta.url), 'utf8'));

export const BUNDLED_CONTEXTS: Readonly<Record<string, unknown>> = {
  [VC_V2_CONTEXT]: shared('w3c-credentials-v2-context.jsonld'),
  [EDC_CONTEXT]: shared('edc-ap-context-3.2.jsonld'),
};

export async function offlineLoader(url: string): Promise<{ contextUrl: null; documentUrl: string; document: unknown }> {
  // The hub's context is published under each issuer's id; its content is the same everywhere.
  const document = url.endsWith(`/contexts/${EDC_VC2_CONTEXT_FILE}`) ? JSON.parse(readEdcContext()) : BUNDLED_CONTEXTS[url];
  if (document === undefined) throw new Error(`${url} is not a bundled context (no network in these tests)`);
  return { contextUrl: null, documentUrl: url, document };
}
