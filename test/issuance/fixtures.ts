import type { CredentialFacts } from '../../subgraphs/issuance/facts.js';

/*
 * Credential facts as the issuance service gathers them from a member, for
 * the EDC writer's tests and the storage tests: realistic, one with every
 * optional element, one with none, one certificate of participation.
 */

export const ESCO = 'http://data.europa.eu/esco/skill/';
export const SKILLS = {
  urbanSustainability: { uri: `${ESCO}538f8bc6-a5bf-422b-8112-5ad3fe9de9a0`, label: 'urban sustainability' },
  greenSpace: { uri: `${ESCO}5368a46a-54b5-4874-a06f-964d557c1cfb`, label: 'green space strategies' },
  teams: { uri: `${ESCO}60c78287-22eb-4103-9c8c-28deaa460da0`, label: 'work in teams' },
  solveProblems: { uri: `${ESCO}adc6dc11-3376-467b-96c5-9b0a21edc869`, label: 'solve problems' },
  sdgs: { uri: `${ESCO}dda745dd-b8d6-45d8-8c74-e05495ce90f5`, label: 'sustainable development goals' },
};
export const ALLIANCE = { id: 'https://hub.eciu.eu/issuer', name: 'ECIU University', country: 'BE', homepage: 'https://www.eciu.eu' };
export const STATUS_LIST = 'https://hub.eciu.eu/credentials/status';
export const EQF_7 = 'http://data.europa.eu/snb/eqf/7';
export const ECTS = 'http://data.europa.eu/snb/education-credit/6fcec5c5af';
export const LEVEL = {
  FOUNDATION: 'urn:eciu:proficiency-level:foundation',
  INTERMEDIATE: 'urn:eciu:proficiency-level:intermediate',
  ADVANCED: 'urn:eciu:proficiency-level:advanced',
  HIGHLY_SPECIALISED: 'urn:eciu:proficiency-level:highly-specialised',
};

/** A credit-bearing micro-module at Tampere with every optional element filled in. */
export const FULL: CredentialFacts = {
  credentialId: 'urn:uuid:0b8e7a4c-3f43-4d0e-9a54-6f0d1c2b3a41',
  kind: 'MICRO_CREDENTIAL',
  issuedAt: new Date('2026-06-30T10:15:00Z'),
  validFrom: new Date('2026-06-30T10:15:00Z'),
  validUntil: new Date('2031-06-30T00:00:00Z'),
  issuer: ALLIANCE,
  learner: { id: 'urn:eciu:learner:4d2f7c1e', givenName: 'Aino', familyName: 'Virtanen', email: 'aino.virtanen@example.org', studentNumber: 'H298311' },
  awardingBody: { id: 'tuni.fi', name: 'Tampere University', country: 'FI', homepage: 'https://www.tuni.fi', accreditationAuthority: 'FULL' },
  achievement: {
    id: 'tuni.fi:ach-204-17',
    assessedOn: '2026-06-12',
    grade: '4',
    gradingScheme: { code: 'fi-0-5', description: 'Finnish higher-education scale 0–5: 5 excellent, 1 sufficient, 0 fail.' },
    passed: true,
    ectsAwarded: 2,
    supervision: 'SUPERVISED_WITH_ID_CHECK',
  },
  offering: {
    id: 'tuni.fi:mm-204',
    code: 'MM-204',
    title: 'Urban heat resilience & green infrastructure',
    description: 'Plan green and blue infrastructure that keeps a mid-size European city liveable in heatwaves.',
    kind: 'MICRO_MODULE',
    microCredentialType: 'OUTSIDE_LEARNING_PATH',
    ects: 2,
    workloadHours: 54,
    eqfLevel: 7,
    iscedF: '0731',
    assessmentType: 'PROJECT_WORK',
    mode: 'BLENDED',
    learningSetting: 'FORMAL',
    qualityAssurance: "Approved by Tampere University's Faculty of Built Environment under its ENQA-reviewed quality system.",
    prerequisites: 'A bachelor degree in planning, architecture, civil or environmental engineering.',
    stackability: 'STACKABLE',
    stackableTowards: 'the ECIU micro-credential "Sustainable cities" (6 ECTS)',
    moreInformationUrl: 'https://www.tuni.fi/en/study-with-us/mm-204',
    creditBearing: true,
    externalAccreditation: {
      reference: 'FINEEC-2025-117',
      body: 'Finnish Education Evaluation Centre (FINEEC)',
      decidedOn: '2025-03-14',
      validUntil: '2031-03-13',
      url: 'https://www.karvi.fi/en/decisions/fineec-2025-117',
    },
  },
  learningOutcomes: [
    { description: 'Assess the urban heat risk of a district from open data.', expectedProficiency: 'ADVANCED', skill: SKILLS.urbanSustainability },
    { description: 'Design a green-space strategy that lowers heat exposure.', expectedProficiency: 'INTERMEDIATE', skill: SKILLS.greenSpace },
    { description: 'Work with city officials in an interdisciplinary team.', expectedProficiency: 'INTERMEDIATE', skill: SKILLS.teams },
  ],
  acquiredSkills: [
    { level: 'ADVANCED', skill: SKILLS.urbanSustainability },
    { level: 'HIGHLY_SPECIALISED', skill: SKILLS.greenSpace },
    { level: 'INTERMEDIATE', skill: SKILLS.teams },
  ],
  status: { revocation: { listUrl: `${STATUS_LIST}/revocation/1`, index: 4711 }, suspension: { listUrl: `${STATUS_LIST}/suspension/1`, index: 4711 } },
};

/** A credit-bearing micro-credential at Kaunas with every optional fact missing. */
export const SPARSE: CredentialFacts = {
  credentialId: 'urn:uuid:5b7f0f5e-61a9-4c41-8a1e-2f0c3d9e8b17',
  kind: 'MICRO_CREDENTIAL',
  issuedAt: new Date('2026-02-03T08:00:00.250Z'),
  validFrom: new Date('2026-02-03T08:00:00.250Z'),
  validUntil: null,
  issuer: { ...ALLIANCE, homepage: null },
  learner: { id: 'urn:eciu:learner:9a0b31d2', givenName: 'Jonas', familyName: 'Petrauskas', email: null, studentNumber: null },
  awardingBody: { id: 'ktu.edu', name: 'Kaunas University of Technology', country: 'LT', homepage: null, accreditationAuthority: 'MICRO_CREDENTIALS_ONLY' },
  achievement: {
    id: 'ktu.edu:ach-88-3',
    assessedOn: '2026-01-20',
    grade: null,
    gradingScheme: { code: 'pass-fail', description: 'Pass or fail.' },
    passed: true,
    ectsAwarded: 1,
    supervision: null,
  },
  offering: {
    id: 'ktu.edu:mm-88',
    code: null,
    title: 'Circular construction materials',
    description: null,
    kind: 'MICRO_MODULE',
    microCredentialType: 'WITHIN_LEARNING_PATH',
    ects: 1,
    workloadHours: 27.5,
    eqfLevel: 6,
    iscedF: null,
    assessmentType: 'WRITTEN_EXAM',
    mode: 'ONLINE',
    learningSetting: 'FORMAL',
    qualityAssurance: 'Internal quality assurance of Kaunas University of Technology.',
    prerequisites: null,
    stackability: 'STAND_ALONE',
    stackableTowards: null,
    moreInformationUrl: null,
    creditBearing: true,
    externalAccreditation: null,
  },
  learningOutcomes: [{ description: 'Compare the life-cycle impact of building materials.', expectedProficiency: 'FOUNDATION', skill: null }],
  acquiredSkills: [],
  status: { revocation: { listUrl: `${STATUS_LIST}/revocation/1`, index: 0 }, suspension: { listUrl: `${STATUS_LIST}/suspension/1`, index: 0 } },
};

/** A certificate of participation: Twente (authority NONE) without an external accreditation record. */
export const PARTICIPATION: CredentialFacts = {
  credentialId: 'urn:uuid:c3d1e5a2-7b94-4f0e-b6a8-1e2d3c4b5a69',
  kind: 'PARTICIPATION',
  issuedAt: new Date('2026-07-10T14:00:00Z'),
  validFrom: new Date('2026-07-10T14:00:00Z'),
  validUntil: null,
  issuer: ALLIANCE,
  learner: { id: 'urn:eciu:learner:77e0a9c4', givenName: 'Sofía', familyName: "García O'Neill", email: 'sofia.garcia@example.org', studentNumber: 's2750123' },
  awardingBody: { id: 'utwente.nl', name: 'University of Twente', country: 'NL', homepage: 'https://www.utwente.nl', accreditationAuthority: 'NONE' },
  achievement: {
    id: 'utwente.nl:ach-31-9',
    assessedOn: '2026-06-26',
    grade: 'Pass',
    gradingScheme: { code: 'pass-fail', description: 'Pass or fail.' },
    passed: true,
    ectsAwarded: 0,
    supervision: 'UNSUPERVISED_NO_ID_CHECK',
  },
  offering: {
    id: 'utwente.nl:ch-31',
    code: 'CH-31',
    title: 'Challenge: safe cycling routes for Enschede',
    description: 'A team challenge set by the City of Enschede.',
    kind: 'CHALLENGE',
    microCredentialType: 'NON_FORMAL',
    ects: 3,
    workloadHours: 84,
    eqfLevel: 6,
    iscedF: '0732',
    assessmentType: 'PEER_ASSESSMENT',
    mode: 'ONLINE',
    learningSetting: 'NON_FORMAL',
    qualityAssurance: 'Reviewed by the ECIU challenge board.',
    prerequisites: null,
    stackability: 'STACKABLE',
    stackableTowards: 'a larger ECIU micro-credential',
    moreInformationUrl: null,
    creditBearing: true,
    externalAccreditation: null,
  },
  learningOutcomes: [{ description: 'Solve a real mobility problem with a city.', expectedProficiency: 'INTERMEDIATE', skill: SKILLS.solveProblems }],
  acquiredSkills: [{ level: 'INTERMEDIATE', skill: SKILLS.sdgs }],
  status: { revocation: { listUrl: `${STATUS_LIST}/revocation/2`, index: 131071 }, suspension: { listUrl: `${STATUS_LIST}/suspension/2`, index: 131071 } },
};

export const FIXTURES = { full: FULL, sparse: SPARSE, participation: PARTICIPATION };

/** The accreditation facts the fixtures' members would give verification (authority.ts), by offering id. */
export const fixtureAuthority = {
  async lookup(offeringId: string) {
    const facts = Object.values(FIXTURES).find((fixture) => fixture.offering.id === offeringId);
    if (!facts) return null;
    const { id, name, accreditationAuthority } = facts.awardingBody;
    return { member: { id, name, accreditationAuthority }, externalAccreditation: facts.offering.externalAccreditation };
  },
};
