import { BASE64, concept, country, EDC_SHACL_SCHEMA, en, ENGLISH, GENERIC_CREDENTIAL_PROFILE, idsUnder, type Node, renderPage, statusEntry, SVG } from './edc-vocabulary.js';
import type { StatusEntryFacts } from './facts.js';

/*
 * ELM nodes every credential the hub writes has in the same shape - an
 * organisation, the rendered page, the credential around the subject - shared
 * by the micro-credential (edc.ts) and the stacked pathway credential
 * (edc-stacked.ts), so the two cannot drift apart.
 */

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

/*
 * The JSON-LD context of the credentials, after the VC 2.0 one. JSON-LD
 * processors refuse [VC 2.0, EDC 3.2]: the VC 2.0 context protects
 * `description`, the EDC context redefines it (a language map). This context
 * (contexts/eciu-edc-vc2-v1.jsonld) is the EDC 3.2 context with every term
 * unchanged, except that `description` is defined in a property-scoped
 * context of each EDC property that leads to an ELM node - the one place JSON-LD
 * 1.1 lets a protected term be redefined - so ELM nodes keep EDC's meaning
 * while the credential itself keeps the VC 2.0 one; plus the two terms the EBSI
 * profile adds that neither context defines (`issued`, as VC 1.1 defined it,
 * and `VerifiableAttestation`). The issuer publishes it under its own id.
 */
export const EDC_VC2_CONTEXT_FILE = 'eciu-edc-vc2-v1.jsonld';

/** Where the issuer `issuerId` publishes the credentials' EDC context (see EDC_VC2_CONTEXT_FILE). */
export function edcContextUrl(issuerId: string): string {
  return `${issuerId.replace(/\/+$/, '')}/contexts/${EDC_VC2_CONTEXT_FILE}`;
}

/**
 * `VerifiableAttestation` is not asked for by ELM but by the EBSI EDC schema:
 * its `type` must hold at least three distinct values of exactly these three.
 */
export const CREDENTIAL_TYPES = ['VerifiableCredential', 'VerifiableAttestation', 'EuropeanDigitalCredential'] as const;

/** An Organisation as the EBSI schema requires it: legalName and a location with a country. */
export function organisationNode(orgId: string, name: string, countryCode: string, homepage: string | null, extra: Node = {}): Node {
  const orgIds = idsUnder(orgId);
  return {
    id: orgId,
    type: 'Organisation',
    legalName: en(name),
    ...extra,
    location: {
      id: orgIds('location'),
      type: 'Location',
      address: { id: orgIds('location/address'), type: 'Address', countryCode: concept(country(countryCode)) },
    },
    ...(homepage ? { homepage: { id: orgIds('homepage'), type: 'WebResource', contentURL: homepage } } : {}),
  };
}

/** The issuer: ELM's shapes want an issuer's legal identifier (eIDAS) with the country that issued it. */
export function issuerNode(alliance: { id: string; name: string; country: string; homepage: string | null; legalIdentifier?: string | null }): Node {
  return organisationNode(
    alliance.id,
    alliance.name,
    alliance.country,
    alliance.homepage,
    alliance.legalIdentifier
      ? { eIDASIdentifier: { id: idsUnder(alliance.id)('legal-identifier'), type: 'LegalIdentifier', notation: alliance.legalIdentifier, spatial: concept(country(alliance.country)) } }
      : {},
  );
}

/** The DisplayParameter the EBSI schema requires: one rendered page (see renderPage). */
export function displayParameterNode(ids: (path: string) => string, title: string, description: string, lines: Parameters<typeof renderPage>[0]): Node {
  return {
    id: ids('display'),
    type: 'DisplayParameter',
    title: en(title),
    description: en(description),
    language: concept(ENGLISH),
    primaryLanguage: concept(ENGLISH),
    individualDisplay: {
      id: ids('display/en'),
      type: 'IndividualDisplay',
      language: concept(ENGLISH),
      displayDetail: {
        id: ids('display/en/page/1'),
        type: 'DisplayDetail',
        image: {
          id: ids('display/en/page/1/image'),
          type: 'MediaObject',
          contentType: concept(SVG),
          contentEncoding: concept(BASE64),
          content: renderPage(lines),
        },
        page: 1,
      },
    },
  };
}

/** The credential around its subject: contexts, types, profile, schema, validity and both status entries. */
export function credentialEnvelope(parts: {
  credentialId: string;
  issuer: Node;
  issued: string;
  validFrom: string;
  validUntil: string | null;
  credentialSubject: Node;
  status: { revocation: StatusEntryFacts; suspension: StatusEntryFacts };
  displayParameter: Node;
}): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT, edcContextUrl(parts.issuer['id'] as string)],
    id: parts.credentialId,
    type: [...CREDENTIAL_TYPES],
    credentialProfiles: concept(GENERIC_CREDENTIAL_PROFILE),
    credentialSchema: { ...EDC_SHACL_SCHEMA },
    issuer: parts.issuer,
    issued: parts.issued,
    validFrom: parts.validFrom,
    ...(parts.validUntil ? { validUntil: parts.validUntil } : {}),
    credentialSubject: parts.credentialSubject,
    credentialStatus: [statusEntry(parts.status.revocation, 'revocation'), statusEntry(parts.status.suspension, 'suspension')],
    displayParameter: parts.displayParameter,
  };
}
