import jsonld from 'jsonld';
import { describe, expect, it } from 'vitest';
import { statusListCredential } from '../../lib/status-list.js';
import { buildCredential, EDC_CONTEXT, VC_V2_CONTEXT } from '../../subgraphs/issuance/edc.js';
import { readEdcContext } from '../../subgraphs/issuance/server.js';
import { FIXTURES } from './fixtures.js';
import { BUNDLED_CONTEXTS, offlineLoader } from './jsonld-loader.js';

/*
 * Issued credentials as JSON-LD processors read them (issue 15 point 1):
 * jsonld.js expands each kind over the bundled contexts in safe mode, which
 * fails on any term, type or value a processor would drop; compacting the
 * expansion again gives back the very document, so nothing was lost on the
 * way. The hub's context is checked term by term against the EDC 3.2 one.
 */

type Context = Record<string, unknown>;

/**
 * A document's shape with what compaction may choose differently taken out:
 * one-element arrays become their element, `{ id }` nodes their id.
 */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? shape(value[0]) : value.map(shape);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === 'id') return entries[0][1];
    return Object.fromEntries(entries.map(([key, inner]) => [key, shape(inner)]));
  }
  return value;
}

/** Every value of property `iri` anywhere in an expanded document. */
function valuesOf(expanded: unknown, iri: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(expanded)) for (const item of expanded) valuesOf(item, iri, found);
  else if (expanded && typeof expanded === 'object') {
    for (const [key, inner] of Object.entries(expanded)) {
      if (key === iri) found.push(...(inner as unknown[]));
      valuesOf(inner, iri, found);
    }
  }
  return found;
}
const options = { documentLoader: offlineLoader as never, safe: true } as const;
const kinds = Object.entries(FIXTURES).map(([name, facts]) => [name, buildCredential(facts)] as const);

describe('JSON-LD processing of issued credentials', () => {
  it.each(kinds)('expands the %s credential without dropping anything, and compacts back to the same document', async (_name, credential) => {
    const expanded = await jsonld.expand(credential as never, options as never);
    expect(expanded).toHaveLength(1);
    const compacted = await jsonld.compact(expanded as never, { '@context': credential['@context'] } as never, { documentLoader: offlineLoader } as never);
    expect(shape(compacted)).toEqual(shape(credential));
    // The ELM descriptions keep EDC's meaning (a language map of dc:description), the EBSI additions are defined.
    const text = JSON.stringify(expanded);
    expect(text).toContain('"https://www.w3.org/2018/credentials#issued"');
    expect(text).toContain('"https://www.w3.org/ns/credentials/issuer-dependent#VerifiableAttestation"');
    expect(text).toContain('"http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential"');
    const nquads = (await jsonld.toRDF(credential as never, { documentLoader: offlineLoader, format: 'application/n-quads' } as never)) as unknown as string;
    expect(nquads.split('\n').length).toBeGreaterThan(100);
  });

  it('keeps every ELM description as a dc:description in its language', async () => {
    const credential = buildCredential(FIXTURES.participation);
    const expanded = await jsonld.expand(credential as never, options as never);
    const descriptions = valuesOf(expanded, 'http://purl.org/dc/terms/description').filter((value) => (value as { '@language'?: string })['@language'] === 'en').length;
    // The claim, the offering, the grading scheme and the display parameter each have one.
    expect(descriptions).toBe((JSON.stringify(credential).match(/"description":\{"en":/g) ?? []).length);
    expect(descriptions).toBeGreaterThanOrEqual(4);
  });

  it('refuses a term no context defines (safe mode is what makes the tests above able to fail)', async () => {
    const credential = { ...buildCredential(FIXTURES.full), madeUpTerm: 'dropped by any processor' };
    await expect(jsonld.expand(credential as never, options as never)).rejects.toThrow(/safe mode/i);
  });

  it('shows why the VC 2.0 + EDC 3.2 pair cannot work: the protected "description" is redefined', async () => {
    const credential = { ...buildCredential(FIXTURES.full), '@context': [VC_V2_CONTEXT, EDC_CONTEXT] };
    await expect(jsonld.expand(credential as never, { documentLoader: offlineLoader } as never)).rejects.toThrow(/protected term/);
  });

  it('expands the status list credentials too', async () => {
    const list = statusListCredential({ id: 'https://hub.example/credentials/status/revocation/0', issuer: 'https://hub.example/issuers/eciu', statusPurpose: 'revocation', encodedList: 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA', validFrom: new Date('2026-01-01T00:00:00Z'), validUntil: new Date('2026-01-02T00:00:00Z') });
    await expect(jsonld.expand(list as never, options as never)).resolves.toHaveLength(1);
  });
});

describe("the hub's EDC context for VC 2.0", () => {
  const ours = (JSON.parse(readEdcContext()) as { '@context': Context })['@context'];
  const edc = (BUNDLED_CONTEXTS[EDC_CONTEXT] as { '@context': Context })['@context'];

  it('defines every EDC 3.2 term exactly as EDC does, "description" aside', () => {
    const { description, ...rest } = edc;
    for (const [term, definition] of Object.entries(rest)) {
      const mine = ours[term];
      expect(mine, term).toBeDefined();
      // The one change: object properties carry a property-scoped "description" (EDC's definition).
      const { '@context': scoped, ...withoutScope } = (typeof mine === 'object' ? mine : { value: mine }) as Context;
      expect(typeof mine === 'object' ? withoutScope : mine, term).toEqual(definition);
      if (scoped !== undefined) expect(scoped, term).toEqual({ description });
    }
    expect(ours['description']).toBeUndefined();
  });

  it('adds only the two terms the EBSI profile uses that neither context defines', () => {
    const added = Object.keys(ours).filter((term) => !(term in edc) && term !== '@version');
    expect(added.sort()).toEqual(['VerifiableAttestation', 'issued']);
  });
});
