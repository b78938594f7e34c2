import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCredential, memberOrganisationId } from '../../subgraphs/issuance/edc.js';
import { createCredentialValidator } from '../../subgraphs/issuance/schemas.js';
import { SKILLS, ALLIANCE, STATUS_LIST, EQF_7, ECTS, LEVEL, FULL, SPARSE, PARTICIPATION, FIXTURES } from './fixtures.js';

/*
 * The EDC (ELM 3.2) credential writer and the schema validator: what is built
 * from realistic facts carries every Annex I element where ELM puts it, the ESCO
 * skills with their levels, and validates against the W3C VC 2.0 and EBSI EDC
 * schemas; the validator itself is checked on the Commission's own sample and
 * on broken credentials.
 */

type Json = Record<string, unknown>;


// ---------------------------------------------------------------- helpers

function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
const obj = (value: unknown, ...path: (string | number)[]): Json => at(value, ...path) as Json;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Every object in the tree, with its JSON pointer. */
function nodes(value: unknown, pointer = ''): { pointer: string; node: Json }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => nodes(item, `${pointer}/${index}`));
  if (value === null || typeof value !== 'object') return [];
  const node = value as Json;
  return [{ pointer, node }, ...Object.entries(node).flatMap(([key, child]) => nodes(child, `${pointer}/${key}`))];
}

const claimOf = (credential: Json) => obj(credential, 'credentialSubject', 'hasClaim');
const specOf = (credential: Json) => obj(credential, 'credentialSubject', 'hasClaim', 'specifiedBy');
const notesOf = (credential: Json) => list(specOf(credential)['additionalNote']).map((note) => at(note, 'noteLiteral', 'en') as string);
const conceptIds = (value: unknown) => list(value).map((item) => at(item, 'id'));

const sharedCredentials = new URL('../../../shared/credentials/', import.meta.url);

// ---------------------------------------------------------------- schema validity

describe('issued credentials against the W3C VC 2.0 and EBSI EDC schemas', () => {
  const strict = createCredentialValidator();
  const withStatusList = createCredentialValidator({ allowBitstringStatusList: true });

  it.each(Object.entries(FIXTURES))('the %s credential is valid, taking its status entries as Bitstring Status List v1.0', (_name, facts) => {
    expect(withStatusList.validate(buildCredential(facts))).toEqual({ valid: true, checked: true, errors: [], w3c: true, ebsi: true, ebsiAsPublished: false });
  });

  it.each(Object.entries(FIXTURES))('the %s credential is valid against both schemas as published once its status entries are set aside', (_name, facts) => {
    const { credentialStatus, ...rest } = buildCredential(facts);
    expect(credentialStatus).toHaveLength(2);
    expect(strict.validate(rest)).toEqual({ valid: true, checked: true, errors: [], w3c: true, ebsi: true, ebsiAsPublished: true });
  });

  it('as published, the EBSI schema rejects nothing but the type of the Bitstring Status List entries', () => {
    // The EBSI EDC schema closes credentialStatus to { id, type: CredentialStatus | TrustedCredentialStatus2021 }.
    expect(strict.validate(buildCredential(FULL))).toEqual({
      valid: false,
      checked: true,
      w3c: true,
      ebsi: false,
      ebsiAsPublished: true,
      errors: [
        'EBSI /credentialStatus/0/type: is "BitstringStatusListEntry", must be one of "CredentialStatus", "TrustedCredentialStatus2021"',
        'EBSI /credentialStatus/1/type: is "BitstringStatusListEntry", must be one of "CredentialStatus", "TrustedCredentialStatus2021"',
      ],
    });
  });

  it('checks the status entries themselves when it sets the EBSI type aside', () => {
    const credential = buildCredential(FULL);
    const entries = credential['credentialStatus'] as Json[];
    const broken = { ...credential, credentialStatus: [{ ...entries[0], statusListIndex: 4711 }, { ...entries[1], statusListCredential: undefined }] };
    const result = withStatusList.validate(JSON.parse(JSON.stringify(broken)));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      'Bitstring Status List /credentialStatus/0/statusListIndex: must be string',
      'Bitstring Status List /credentialStatus/1: must have the property "statusListCredential"',
    ]);
  });
});

// ---------------------------------------------------------------- Annex I

describe('the eleven mandatory Annex I elements, where ELM puts them', () => {
  const credential = buildCredential(FULL);
  const claim = claimOf(credential);
  const spec = specOf(credential);

  it('1 identifies the learner', () => {
    expect(credential['credentialSubject']).toMatchObject({
      id: 'urn:eciu:learner:4d2f7c1e',
      type: 'Person',
      givenName: { en: 'Aino' },
      familyName: { en: 'Virtanen' },
      fullName: { en: 'Aino Virtanen' },
      identifier: { type: 'Identifier', notation: 'H298311', schemeName: 'Student number', schemeAgency: { en: 'Tampere University' } },
      contactPoint: { type: 'ContactPoint', emailAddress: { id: 'mailto:aino.virtanen@example.org', type: 'Mailbox' } },
    });
  });

  it('2 gives the title', () => {
    expect(claim['title']).toEqual({ en: 'Urban heat resilience & green infrastructure' });
    expect(spec['title']).toEqual({ en: 'Urban heat resilience & green infrastructure' });
    expect(at(credential, 'displayParameter', 'title')).toEqual({ en: 'Micro-credential' });
  });

  it('3 and 4 name the awarding member and its country; the alliance issues', () => {
    const awardingBody = obj(claim, 'awardedBy', 'awardingBody');
    expect(awardingBody).toMatchObject({
      id: memberOrganisationId('tuni.fi'),
      type: 'Organisation',
      legalName: { en: 'Tampere University' },
      identifier: { type: 'Identifier', notation: 'tuni.fi', schemeName: 'SCHAC home organisation' },
      groupMemberOf: { type: 'Group', prefLabel: { en: 'ECIU University' } },
      homepage: { type: 'WebResource', contentURL: 'https://www.tuni.fi' },
    });
    expect(at(awardingBody, 'location', 'address', 'countryCode')).toMatchObject({
      id: 'http://publications.europa.eu/resource/authority/country/FIN',
      type: 'Concept',
      prefLabel: { en: 'Finland' },
    });
    expect(credential['issuer']).toMatchObject({ id: ALLIANCE.id, type: 'Organisation', legalName: { en: 'ECIU University' } });
    expect(at(credential, 'issuer', 'location', 'address', 'countryCode', 'id')).toBe('http://publications.europa.eu/resource/authority/country/BEL');
  });

  it('5 dates the issuing', () => {
    expect(credential['issued']).toBe('2026-06-30T10:15:00Z');
    expect(credential['validFrom']).toBe('2026-06-30T10:15:00Z');
    expect(credential['validUntil']).toBe('2031-06-30T00:00:00Z');
    expect(at(claim, 'awardedBy', 'awardingDate')).toBe('2026-06-30T10:15:00Z');
    expect(at(claim, 'provenBy', 'dateIssued')).toBe('2026-06-12T00:00:00Z');
  });

  it('6 lists the learning outcomes, each with its ESCO skill', () => {
    const outcomes = list(spec['learningOutcome']) as Json[];
    expect(outcomes.map((outcome) => at(outcome, 'title', 'en'))).toEqual(FULL.learningOutcomes.map((outcome) => outcome.description));
    expect(outcomes.map((outcome) => at(outcome, 'relatedESCOSkill', 'id'))).toEqual([SKILLS.urbanSustainability.uri, SKILLS.greenSpace.uri, SKILLS.teams.uri]);
    expect(outcomes[0]?.['relatedESCOSkill']).toEqual({
      id: SKILLS.urbanSustainability.uri,
      type: 'Concept',
      inScheme: { id: 'http://data.europa.eu/esco/concept-scheme/skills', type: 'ConceptScheme' },
      prefLabel: { en: 'urban sustainability' },
    });
  });

  it('7 states the notional workload in ECTS and hours', () => {
    expect(spec['creditPoint']).toMatchObject({ type: 'CreditPoint', framework: { id: ECTS, type: 'Concept' }, point: '2' });
    expect(claim['creditReceived']).toMatchObject({ type: 'CreditPoint', framework: { id: ECTS }, point: '2' });
    expect(spec['volumeOfLearning']).toBe('PT54H');
  });

  it('8 gives the EQF level and the QF-EHEA cycle', () => {
    expect(spec['type']).toBe('Qualification');
    expect(spec['eqfLevel']).toMatchObject({ id: EQF_7, type: 'Concept', prefLabel: { en: 'Level 7' } });
    expect(notesOf(credential)).toContain('Level: EQF 7, QF-EHEA second cycle (master level).');
  });

  it('9 names the type of assessment', () => {
    expect(at(claim, 'provenBy', 'specifiedBy', 'dcType')).toMatchObject({ id: 'http://data.europa.eu/snb/assessment/795dac4096', prefLabel: { en: 'Project work' } });
  });

  it('10 gives the form of participation', () => {
    expect(at(spec, 'mode', 'id')).toBe('http://data.europa.eu/snb/learning-assessment/e92d221e4d');
    expect(at(spec, 'learningSetting', 'id')).toBe('http://data.europa.eu/snb/learning-setting/6fd4685715');
  });

  it('11 describes the quality assurance, with the external accreditation', () => {
    expect(notesOf(credential)).toContain(`Quality assurance: ${FULL.offering.qualityAssurance}`);
    expect(notesOf(credential)).toContain(
      'External accreditation: Finnish Education Evaluation Centre (FINEEC), reference FINEEC-2025-117, decided on 2025-03-14, valid until 2031-03-13.',
    );
    expect(spec['supplementaryDocument']).toMatchObject({ type: 'WebResource', contentURL: 'https://www.karvi.fi/en/decisions/fineec-2025-117' });
    const qualityNote = list(spec['additionalNote']).find((note) => at(note, 'subject', 'id') === 'urn:eciu:note-subject:quality-assurance');
    expect(qualityNote).toBeDefined();
  });

  it('carries the optional elements the facts have', () => {
    expect(spec['entryRequirement']).toMatchObject({ type: 'Note', noteLiteral: { en: FULL.offering.prerequisites } });
    expect(at(claim, 'provenBy', 'idVerification')).toMatchObject({
      id: 'http://data.europa.eu/snb/supervision-verification/70be69aaf9',
      prefLabel: { en: 'Supervised with ID verification' },
    });
    expect(at(claim, 'provenBy', 'grade')).toMatchObject({ type: 'Note', noteLiteral: { en: '4' } });
    expect(at(claim, 'provenBy', 'specifiedBy', 'gradingScheme')).toMatchObject({ type: 'GradingScheme', title: { en: 'fi-0-5' } });
    expect(notesOf(credential)).toContain('Stackable towards the ECIU micro-credential "Sustainable cities" (6 ECTS).');
    expect(notesOf(credential)).toContain(
      'ECIU micro-credential type 2: formal learning outside a regular learning path (stackable towards a larger micro-credential).',
    );
    expect(spec['homepage']).toMatchObject({ type: 'WebResource', contentURL: FULL.offering.moreInformationUrl });
    expect(spec['thematicArea']).toMatchObject({ id: 'http://data.europa.eu/snb/isced-f/0731', prefLabel: { en: 'Architecture and town planning' } });
    expect(spec['description']).toEqual({ en: FULL.offering.description });
    expect(spec['altLabel']).toEqual({ en: 'MM-204' });
    expect(claim['identifier']).toMatchObject({ notation: 'tuni.fi:ach-204-17' });
  });
});

// ---------------------------------------------------------------- skills and levels

describe('ESCO skills with levels', () => {
  const credential = buildCredential(FULL);

  it('puts the expected level of each outcome next to its ESCO skill, as the Commission sample does', () => {
    const outcomes = list(specOf(credential)['learningOutcome']);
    expect(outcomes.map((outcome) => at(outcome, 'relatedSkill', 'id'))).toEqual([LEVEL.ADVANCED, LEVEL.INTERMEDIATE, LEVEL.INTERMEDIATE]);
    expect(at(outcomes[0], 'relatedSkill')).toMatchObject({
      type: 'Concept',
      inScheme: { id: 'urn:eciu:concept-scheme:proficiency-level', type: 'ConceptScheme' },
      prefLabel: { en: 'Advanced' },
      notation: '3',
    });
    expect(at(outcomes[0], 'relatedSkill', 'definition', 'en')).toMatch(/DigComp 2\.2 proficiency levels 5–6/);
  });

  it('records the level reached in each acquired skill as a part of the achievement', () => {
    const parts = list(claimOf(credential)['hasPart']) as Json[];
    expect(parts.map((part) => [at(part, 'specifiedBy', 'learningOutcome', 'relatedESCOSkill', 'id'), at(part, 'specifiedBy', 'learningOutcome', 'relatedSkill', 'id')])).toEqual([
      [SKILLS.urbanSustainability.uri, LEVEL.ADVANCED],
      [SKILLS.greenSpace.uri, LEVEL.HIGHLY_SPECIALISED],
      [SKILLS.teams.uri, LEVEL.INTERMEDIATE],
    ]);
    expect(parts[1]).toMatchObject({ type: 'LearningAchievement', title: { en: 'green space strategies: Highly specialised' } });
    // Each part is awarded in the same awarding process as the whole.
    expect(new Set(parts.map((part) => at(part, 'awardedBy', 'id')))).toEqual(new Set([at(claimOf(credential), 'awardedBy', 'id')]));
  });

  it('uses the four level concepts of one scheme for the four proficiency bands', () => {
    const levelIds = new Set(nodes(credential).filter(({ node }) => at(node, 'inScheme', 'id') === 'urn:eciu:concept-scheme:proficiency-level').map(({ node }) => node['id']));
    expect([...levelIds].sort()).toEqual([LEVEL.ADVANCED, LEVEL.HIGHLY_SPECIALISED, LEVEL.INTERMEDIATE].sort());
  });
});

// ---------------------------------------------------------------- shape, status, determinism

describe('the credential envelope', () => {
  const credential = buildCredential(FULL);

  it('is a VC 2.0 EuropeanDigitalCredential', () => {
    // VC 2.0 first (the W3C and EBSI schemas ask for it), then the EDC terms in the form JSON-LD processors accept after it (jsonld.test.ts).
    expect(credential['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', `${ALLIANCE.id}/contexts/eciu-edc-vc2-v1.jsonld`]);
    expect(credential['type']).toEqual(['VerifiableCredential', 'VerifiableAttestation', 'EuropeanDigitalCredential']);
    expect(credential['id']).toBe(FULL.credentialId);
    expect(credential['credentialSchema']).toEqual({ id: 'http://data.europa.eu/snb/model/ap/edc-generic-full', type: 'ShaclValidator2017' });
  });

  it('points at the revocation and suspension status lists', () => {
    expect(credential['credentialStatus']).toEqual([
      {
        id: `${STATUS_LIST}/revocation/1#4711`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '4711',
        statusListCredential: `${STATUS_LIST}/revocation/1`,
      },
      {
        id: `${STATUS_LIST}/suspension/1#4711`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'suspension',
        statusListIndex: '4711',
        statusListCredential: `${STATUS_LIST}/suspension/1`,
      },
    ]);
  });

  it("writes its status entries with the hub's one status entry (lib/status-list.ts), which refuses an index past the list or a list that is no URL", () => {
    for (const status of [
      { revocation: { listUrl: `${STATUS_LIST}/revocation/1`, index: 131_072 }, suspension: FULL.status.suspension },
      { revocation: { listUrl: `${STATUS_LIST}/revocation/1`, index: -1 }, suspension: FULL.status.suspension },
      { revocation: { listUrl: 'not a url', index: 1 }, suspension: FULL.status.suspension },
    ]) {
      expect(() => buildCredential({ ...FULL, status })).toThrow();
    }
  });

  it('renders a page that states the essentials, XML-escaped', () => {
    const image = obj(credential, 'displayParameter', 'individualDisplay', 'displayDetail', 'image');
    expect(at(image, 'contentType', 'id')).toBe('http://publications.europa.eu/resource/authority/file-type/SVG');
    expect(at(image, 'contentEncoding', 'id')).toBe('http://data.europa.eu/snb/encoding/6146cde7dd');
    const svg = Buffer.from(image['content'] as string, 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const text of ['Aino Virtanen', 'Urban heat resilience &amp; green infrastructure', 'Awarded by Tampere University (Finland)', '2 ECTS · EQF level 7 · 54 hours']) {
      expect(svg).toContain(text);
    }
  });

  it('builds byte-identical output from the same facts', () => {
    expect(JSON.stringify(buildCredential(structuredClone(FULL)))).toBe(JSON.stringify(credential));
    expect(JSON.stringify(buildCredential(structuredClone(PARTICIPATION)))).toBe(JSON.stringify(buildCredential(PARTICIPATION)));
  });

  it('gives every node an id and a type; an id shared by two nodes names the same node, described in full once', () => {
    const byId = new Map<string, string>();
    const referenced = new Set<string>();
    for (const { pointer, node } of nodes(credential)) {
      if (pointer === '' || pointer.startsWith('/@context') || pointer.startsWith('/credentialStatus')) continue;
      // Language maps ({ en: … }) are values, not nodes.
      if (Object.keys(node).every((key) => /^[a-z]{2}$/.test(key))) continue;
      expect(typeof node['id'], pointer).toBe('string');
      const id = node['id'] as string;
      // A node described elsewhere is referenced by its id alone (JSON-LD merges nodes by id);
      // an awarding process reference keeps the type and body id the EBSI schema asks for.
      const keys = Object.keys(node).sort().join(',');
      if (keys === 'id' || (keys === 'awardingBody,id,type' && Object.keys(node['awardingBody'] as object).join() === 'id')) {
        referenced.add(id);
        continue;
      }
      expect(typeof node['type'], pointer).toBe('string');
      const json = JSON.stringify(node);
      expect(byId.get(id) ?? json, `${pointer} (${id})`).toBe(json);
      byId.set(id, json);
    }
    for (const id of referenced) expect(byId.has(id), `${id} is referenced but never described`).toBe(true);
    expect(referenced.size).toBeGreaterThan(0);
  });

  it('derives its node ids from the credential id (RFC 9562 version 5 UUIDs)', () => {
    const other = buildCredential({ ...FULL, credentialId: 'urn:uuid:1f0e2d3c-4b5a-4968-8776-655443322110' });
    const displayId = at(credential, 'displayParameter', 'id') as string;
    expect(displayId).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Recomputable with any UUID library: uuidv5("display", uuidv5(credential id, URL namespace)).
    const v5 = (name: string, namespace: string) => {
      const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name).digest().subarray(0, 16);
      bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
      bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    expect(v5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2'); // the reference itself
    expect(displayId).toBe(`urn:uuid:${v5('display', v5(FULL.credentialId, '6ba7b811-9dad-11d1-80b4-00c04fd430c8'))}`);
    expect(at(other, 'displayParameter', 'id')).not.toBe(displayId);
    // The member's own nodes do not depend on the credential: the same member looks the same everywhere.
    expect(at(other, 'credentialSubject', 'hasClaim', 'awardedBy', 'awardingBody')).toEqual(at(claimOf(credential), 'awardedBy', 'awardingBody'));
  });
});

// ---------------------------------------------------------------- sparse facts

describe('a credential from facts without the optional elements', () => {
  const credential = buildCredential(SPARSE);
  const claim = claimOf(credential);
  const spec = specOf(credential);

  it('leaves out what the facts do not have', () => {
    expect(credential).not.toHaveProperty('validUntil');
    expect(credential['credentialSubject']).not.toHaveProperty('identifier');
    expect(credential['credentialSubject']).not.toHaveProperty('contactPoint');
    expect(claim['provenBy']).not.toHaveProperty('idVerification');
    expect(claim).not.toHaveProperty('hasPart');
    for (const key of ['description', 'altLabel', 'thematicArea', 'entryRequirement', 'homepage', 'supplementaryDocument']) expect(spec).not.toHaveProperty(key);
    expect(credential['issuer']).not.toHaveProperty('homepage');
  });

  it('still carries every mandatory element', () => {
    expect(credential['issued']).toBe('2026-02-03T08:00:00.250Z');
    expect(at(claim, 'awardedBy', 'awardingBody', 'location', 'address', 'countryCode', 'id')).toBe('http://publications.europa.eu/resource/authority/country/LTU');
    expect(at(claim, 'provenBy', 'grade', 'noteLiteral')).toEqual({ en: 'Pass' });
    expect(spec['volumeOfLearning']).toBe('PT27H30M');
    expect(spec['creditPoint']).toMatchObject({ framework: { id: ECTS }, point: '1' });
    expect(at(spec, 'eqfLevel', 'id')).toBe('http://data.europa.eu/snb/eqf/6');
    expect(at(spec, 'mode', 'id')).toBe('http://data.europa.eu/snb/learning-assessment/920fbb3cbe');
    expect(at(claim, 'provenBy', 'specifiedBy', 'dcType', 'id')).toBe('http://data.europa.eu/snb/assessment/6e6cb2cc78');
    expect(notesOf(credential)).toEqual([
      'Quality assurance: Internal quality assurance of Kaunas University of Technology.',
      'Level: EQF 6, QF-EHEA first cycle (bachelor level).',
      'ECIU micro-credential type 1: formal learning within a regular learning path (stackable towards a degree).',
      'Stand-alone micro-credential: not designed to stack towards another credential.',
    ]);
    // An outcome without a skill still states its expected level.
    expect(list(spec['learningOutcome']).map((outcome) => [at(outcome, 'relatedESCOSkill'), at(outcome, 'relatedSkill', 'id')])).toEqual([[undefined, LEVEL.FOUNDATION]]);
  });
});

// ---------------------------------------------------------------- participation

describe('a certificate of participation', () => {
  const credential = buildCredential(PARTICIPATION);
  const claim = claimOf(credential);
  const spec = specOf(credential);

  it('awards no credit points anywhere', () => {
    const credit = nodes(credential).filter(({ node }) => 'creditPoint' in node || 'creditReceived' in node || node['type'] === 'CreditPoint');
    expect(credit).toEqual([]);
    expect(spec['volumeOfLearning']).toBe('PT84H');
  });

  it('says plainly that it is a non-credit certificate of participation', () => {
    expect(claim['title']).toEqual({ en: 'Certificate of participation (non-credit): Challenge: safe cycling routes for Enschede' });
    expect(at(claim, 'description', 'en')).toContain('This is a non-credit certificate of participation, not a micro-credential: it awards no ECTS credits.');
    expect(at(credential, 'displayParameter', 'title')).toEqual({ en: 'Certificate of participation (non-credit)' });
    expect(notesOf(credential)).toContain(
      'Non-credit certificate of participation: it is not a micro-credential and awards no ECTS credits. The notional workload is given in hours.',
    );
    // Nothing in it presents itself as a micro-credential or as stackable.
    expect(list(spec['additionalNote']).map((note) => at(note, 'subject', 'id'))).not.toContain('urn:eciu:note-subject:micro-credential-type');
    expect(list(spec['additionalNote']).map((note) => at(note, 'subject', 'id'))).not.toContain('urn:eciu:note-subject:stackability');
    const svg = Buffer.from(at(credential, 'displayParameter', 'individualDisplay', 'displayDetail', 'image', 'content') as string, 'base64').toString('utf8');
    expect(svg).toContain('No ECTS credits awarded');
    expect(svg).toContain('García O&apos;Neill');
  });

  it('is specified as a learning achievement, not a qualification, with its EQF level', () => {
    expect(spec['type']).toBe('LearningAchievementSpecification');
    expect(spec).not.toHaveProperty('eqfLevel');
    expect(conceptIds(spec['educationLevel'])).toEqual(['http://data.europa.eu/snb/eqf/6']);
  });

  it('keeps the Annex I elements the facts have', () => {
    expect(at(claim, 'awardedBy', 'awardingBody', 'legalName')).toEqual({ en: 'University of Twente' });
    expect(at(claim, 'awardedBy', 'awardingBody', 'location', 'address', 'countryCode', 'id')).toBe('http://publications.europa.eu/resource/authority/country/NLD');
    expect(at(claim, 'provenBy', 'idVerification', 'id')).toBe('http://data.europa.eu/snb/supervision-verification/c598449d64');
    expect(at(claim, 'provenBy', 'specifiedBy', 'dcType', 'id')).toBe('http://data.europa.eu/snb/assessment/19a2e5e671');
    expect(at(spec, 'learningSetting', 'id')).toBe('http://data.europa.eu/snb/learning-setting/e207a81fc7');
    expect(at(spec, 'learningOutcome', 0, 'relatedESCOSkill', 'id')).toBe(SKILLS.solveProblems.uri);
    expect(at(claim, 'hasPart', 0, 'specifiedBy', 'learningOutcome', 'relatedSkill', 'id')).toBe(LEVEL.INTERMEDIATE);
  });
});

// ---------------------------------------------------------------- refusals

describe('facts that cannot make a truthful credential', () => {
  it('refuses an achievement that was not passed', () => {
    expect(() => buildCredential({ ...FULL, achievement: { ...FULL.achievement, passed: false } })).toThrow(/was not passed/);
  });

  it('refuses a micro-credential without learning outcomes', () => {
    expect(() => buildCredential({ ...FULL, learningOutcomes: [] })).toThrow(/Annex I element 6/);
  });

  it('refuses a country or an EQF level it cannot write', () => {
    expect(() => buildCredential({ ...FULL, awardingBody: { ...FULL.awardingBody, country: 'XX' } })).toThrow(/Country "XX"/);
    expect(() => buildCredential({ ...FULL, offering: { ...FULL.offering, eqfLevel: 9 } })).toThrow(/EQF level 9/);
  });
});

// ---------------------------------------------------------------- the validator itself

describe('the validator', () => {
  const validator = createCredentialValidator();

  it('rejects a credential without a subject, naming the schema and the place', () => {
    const { credentialSubject: _subject, ...broken } = buildCredential(FULL);
    const result = validator.validate(broken);
    expect(result).toMatchObject({ valid: false, w3c: false, ebsi: false });
    expect(result.errors).toContain('W3C /: must have the property "credentialSubject"');
    expect(result.errors).toContain('EBSI /: must have the property "credentialSubject"');
  });

  it('rejects a VC 1.1 context', () => {
    const result = validator.validate({ ...buildCredential(FULL), '@context': ['https://www.w3.org/2018/credentials/v1', 'http://data.europa.eu/snb/model/context/edc-ap'] });
    expect(result.valid).toBe(false);
    expect(result.errors).toContain('W3C /@context: must contain "https://www.w3.org/ns/credentials/v2"');
    expect(result.errors).toContain('W3C /@context/0: must be "https://www.w3.org/ns/credentials/v2"');
    expect(result.errors).toContain('EBSI /@context: must contain "https://www.w3.org/ns/credentials/v2"');
  });

  it('names the missing property of a deep ELM node, without the noise of the classes the node is not', () => {
    const credential = JSON.parse(JSON.stringify(buildCredential(SPARSE))) as Json;
    delete obj(credential, 'credentialSubject', 'hasClaim', 'awardedBy', 'awardingBody')['legalName'];
    obj(credential, 'credentialSubject', 'hasClaim', 'specifiedBy')['eqfLevel'] = 'Level 6';
    delete credential['credentialStatus'];
    expect(validator.validate(credential).errors).toEqual([
      'EBSI /credentialSubject/hasClaim/awardedBy/awardingBody: must have the property "legalName"',
      'EBSI /credentialSubject/hasClaim/specifiedBy/eqfLevel: must be object',
    ]);
  });

  it('names a node whose type is no ELM class', () => {
    const credential = JSON.parse(JSON.stringify(buildCredential(SPARSE))) as Json;
    obj(credential, 'credentialSubject', 'hasClaim', 'awardedBy', 'awardingBody')['type'] = 'Organization';
    delete credential['credentialStatus'];
    const errors = validator.validate(credential).errors;
    expect(errors).toContain('EBSI /credentialSubject/hasClaim/awardedBy/awardingBody/type: is "Organization", must be one of "Agent", "Person", "Organisation"');
    expect(errors.length).toBeLessThanOrEqual(5);
  });

  it('says it checked nothing when the schema files are not installed', () => {
    const result = createCredentialValidator({ dir: '/nonexistent/credential-schemas' }).validate(buildCredential(FULL));
    expect(result).toMatchObject({ valid: false, checked: false, w3c: false, ebsi: false });
    expect(result.errors[0]).toMatch(/^not checked: the published schemas .* are not installed in \/nonexistent\/credential-schemas; set CREDENTIAL_SCHEMAS_DIR$/);
  });

  it('caps the number of lines', () => {
    const result = createCredentialValidator({ maxErrors: 1 }).validate({ '@context': 'nope' });
    expect(result.errors).toHaveLength(2);
    expect(result.errors[1]).toMatch(/^… and \d+ more$/);
  });

  // Needs ../shared/credentials (README, Testing): without it these fail saying the file is missing, like the other credential tests.
  describe('on the Commission Annex I sample', () => {
    const sample = (): Json => JSON.parse(readFileSync(new URL('edc-sample-microcredential-annex1-unsigned.jsonld', sharedCredentials), 'utf8')) as Json;

    it('finds only that the sample is a VC 1.1 envelope: its ELM content passes the EBSI schema', () => {
      // The sample predates VC 2.0: it uses the 2018 context, has no `issued`, and lacks the
      // "VerifiableAttestation" type EBSI asks for. Nothing inside credentialSubject, issuer or
      // displayParameter is reported, so the ELM part of the EBSI schema accepts it as it is.
      expect(validator.validate(sample())).toEqual({
        valid: false,
        checked: true,
        w3c: false,
        ebsi: false,
        ebsiAsPublished: true,
        errors: [
          'W3C /@context/0: must be "https://www.w3.org/ns/credentials/v2"',
          'W3C /@context: must contain "https://www.w3.org/ns/credentials/v2"',
          'EBSI /@context: must contain "https://www.w3.org/ns/credentials/v2"',
          'EBSI /: must have the property "issued"',
          'EBSI /type: must NOT have fewer than 3 items',
        ],
      });
    });

    it('accepts the sample once its envelope is VC 2.0, untouched inside', () => {
      const credential = sample();
      credential['@context'] = ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap'];
      credential['type'] = ['VerifiableCredential', 'VerifiableAttestation', 'EuropeanDigitalCredential'];
      credential['issued'] = credential['validFrom'];
      expect(validator.validate(credential)).toEqual({ valid: true, checked: true, errors: [], w3c: true, ebsi: true, ebsiAsPublished: true });
    });
  });
});
