import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonld from 'jsonld';
import { Parser, Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import { describe, expect, it } from 'vitest';
import { buildCredential, toEuropassForm } from '../../subgraphs/issuance/edc.js';
import type { CredentialFacts } from '../../subgraphs/issuance/facts.js';
import { FIXTURES } from './fixtures.js';
import { offlineLoader } from './jsonld-loader.js';

/*
 * The expanded graph of each credential kind against the ELM 3.2 SHACL shapes
 * EDC validates with (edc-generic-full, which imports edc-generic-no-cv),
 * through rdf-validate-shacl (issue 15 point 1). The shapes are the published
 * ones from the European Learning Model repository (CC BY 4.0), kept beside
 * this file in elm-shacl/ (its README says where from); ELM_SHACL_DIR points
 * at another release of both files instead.
 */

const FILES = ['EDC-generic-full.ttl', 'EDC-generic-no-cv.ttl'];
const shapesDir = process.env['ELM_SHACL_DIR'] || new URL('./elm-shacl', import.meta.url).pathname;

async function violations(credential: Record<string, unknown>): Promise<string[]> {
  const shapes = new Store(new Parser().parse(FILES.map((file) => readFileSync(join(shapesDir, file), 'utf8')).join('\n')));
  const nquads = (await jsonld.toRDF(credential as never, { documentLoader: offlineLoader, format: 'application/n-quads' } as never)) as unknown as string;
  const data = new Store(new Parser({ format: 'N-Quads' }).parse(nquads));
  // Both files are loaded already; the owl:imports between them need no fetching.
  const report = await new SHACLValidator(shapes as never, { importGraph: () => new Store() as never }).validate(data as never);
  return [...new Set(report.results.map((result) => `${result.path?.value ?? ''}: ${result.sourceConstraintComponent?.value.split('#')[1] ?? ''}`))].sort();
}

const withLegalIdentifier = (facts: CredentialFacts): CredentialFacts => ({ ...facts, issuer: { ...facts.issuer, legalIdentifier: 'KVK 12345678' } });

describe(`the ELM 3.2 SHACL shapes (from ${shapesDir})`, () => {
  it.each(Object.entries(FIXTURES))('the %s credential breaks only the VC 1.1 rule on credentialStatus (one URI), in both forms', async (_name, facts) => {
    // ELM 3.2's shapes still follow VC 1.1: credentialStatus as a single xsd:anyURI. VC 2.0 status entries are nodes, two of them.
    const expected = ['https://www.w3.org/2018/credentials#credentialStatus: DatatypeConstraintComponent', 'https://www.w3.org/2018/credentials#credentialStatus: MaxCountConstraintComponent'];
    expect(await violations(buildCredential(withLegalIdentifier(facts)))).toEqual(expected);
    expect(await violations(toEuropassForm(buildCredential(withLegalIdentifier(facts))))).toEqual(expected);
  }, 60_000);

  it('requires the issuer\'s legal identifier (ISSUER_LEGAL_IDENTIFIER): without it the issuer shape fails', async () => {
    expect(await violations(buildCredential(FIXTURES.full))).toContain('https://www.w3.org/2018/credentials#issuer: NodeConstraintComponent');
  }, 60_000);
});
