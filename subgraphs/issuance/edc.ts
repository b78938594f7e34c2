import { hash } from 'node:crypto';
import type { CredentialFacts, ProficiencyLevel, StatusEntryFacts } from './facts.js';

/*
 * Writes the facts of a credential in the European Learning Model (ELM 3.2)
 * as a W3C VC 2.0 credential of type EuropeanDigitalCredential, the shape the
 * EDC infrastructure and Europass read. Pure: everything comes from the facts
 * (no clock, no randomness), so building twice gives byte-identical JSON and a
 * retried issuance can be compared with what was stored.
 *
 * Shape, in one picture:
 *   credential ─ issuer: the alliance (Organisation)
 *              ─ credentialSubject: the learner (Person)
 *                  └ hasClaim: LearningAchievement
 *                      ├ awardedBy: AwardingProcess ─ awardingBody: the member (Organisation, its country)
 *                      ├ provenBy: LearningAssessment (grade, idVerification, assessment type, grading scheme)
 *                      ├ specifiedBy: Qualification (the offering: outcomes + ESCO skills with expected
 *                      │   level, ECTS, workload, EQF, ISCED-F, mode, setting, notes); for a certificate
 *                      │   of participation a LearningAchievementSpecification (EQF in educationLevel)
 *                      └ hasPart: one LearningAchievement per acquired ESCO skill, with the level reached
 *              ─ credentialStatus: revocation + suspension (Bitstring Status List v1.0)
 *              ─ displayParameter: an SVG rendering (the EBSI schema requires one image)
 *
 * Annex I (Council Recommendation 2022/C 243/02) elements and where they are:
 *   1 learner ........... credentialSubject (id, givenName, familyName, fullName, identifier, contactPoint)
 *   2 title ............. hasClaim.title, hasClaim.specifiedBy.title, displayParameter.title
 *   3 country ........... awardedBy.awardingBody.location.address.countryCode (and the issuer's)
 *   4 awarding body ..... hasClaim.awardedBy.awardingBody
 *   5 date of issuing ... issued (also validFrom, awardedBy.awardingDate)
 *   6 learning outcomes . specifiedBy.learningOutcome[] (title, relatedESCOSkill, level in relatedSkill)
 *   7 workload .......... specifiedBy.volumeOfLearning (hours) and, when credit-bearing, specifiedBy.creditPoint (ECTS)
 *   8 level ............. specifiedBy.eqfLevel (participation: specifiedBy.educationLevel) + a note with the QF-EHEA cycle
 *   9 assessment type ... provenBy.specifiedBy.dcType
 *  10 participation ..... specifiedBy.mode and specifiedBy.learningSetting
 *  11 quality assurance . specifiedBy.additionalNote (subject "quality assurance")
 *  optional: prerequisites = specifiedBy.entryRequirement; supervision/ID = provenBy.idVerification;
 *  grade = provenBy.grade; stackability = specifiedBy.additionalNote; further information = specifiedBy.homepage.
 */

type Node = Record<string, unknown>;

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
/** The EDC application profile context as the Commission publishes it (for VC 1.1: it cannot follow the VC 2.0 context). */
export const EDC_CONTEXT = 'http://data.europa.eu/snb/model/context/edc-ap';

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

// ---------------------------------------------------------------- identifiers

/** The RFC 4122 URL namespace: the names hashed here are URIs (credential ids, organisation ids). */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** UUID version 5 (SHA-1 of namespace + name, RFC 9562) of `name`, with `scratch` already holding the namespace. */
function uuidV5Hex(scratch: Buffer, name: string): string {
  // One-shot crypto.hash (Node >= 20.12) over a reused buffer: a credential has
  // some fifty ids, and a createHash() per id was most of the time it took to build one.
  const length = Buffer.byteLength(name, 'utf8');
  const input = 16 + length <= scratch.length ? scratch : Buffer.concat([scratch.subarray(0, 16), Buffer.alloc(length)]);
  input.write(name, 16, 'utf8');
  const hex = hash('sha1', input.subarray(0, 16 + length), 'hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function namespaceScratch(namespaceHex: string): Buffer {
  const scratch = Buffer.alloc(256);
  Buffer.from(namespaceHex.replaceAll('-', ''), 'hex').copy(scratch);
  return scratch;
}

/**
 * Node ids `urn:uuid:<uuidv5(path, uuidv5(base, URL namespace))>`, so anyone
 * can recompute them with a standard UUID library. Nodes of the credential hang
 * off the credential id; nodes that describe an organisation (its location,
 * address) hang off the organisation's id, so the same member looks the same
 * in every credential.
 */
function idsUnder(base: string): (path: string) => string {
  const scratch = namespaceScratch(uuidV5Hex(namespaceScratch(URL_NAMESPACE), base));
  return (path) => `urn:uuid:${uuidV5Hex(scratch, path)}`;
}

/**
 * The awarding member's id in credentials. Member ids are web domains (SCHAC
 * home organisation), which are not URIs; the hub's own names live under
 * `urn:eciu:` (see lib/hub-token.ts), so a member is `urn:eciu:member:<domain>`.
 */
export function memberOrganisationId(memberId: string): string {
  return `urn:eciu:member:${memberId}`;
}

// ---------------------------------------------------------------- concepts

const en = (text: string): Record<string, string> => ({ en: text });

interface ConceptSpec {
  id: string;
  label: string;
  scheme: string;
  notation?: string;
  definition?: string;
}

function concept(spec: ConceptSpec): Node {
  return {
    id: spec.id,
    type: 'Concept',
    inScheme: { id: spec.scheme, type: 'ConceptScheme' },
    prefLabel: en(spec.label),
    ...(spec.notation === undefined ? {} : { notation: spec.notation }),
    ...(spec.definition === undefined ? {} : { definition: en(spec.definition) }),
  };
}

const SNB = 'http://data.europa.eu/snb';
const EU_AUTHORITY = 'http://publications.europa.eu/resource/authority';
const ESCO_SKILL_PREFIX = 'http://data.europa.eu/esco/skill/';
const ESCO_SKILLS_SCHEME = 'http://data.europa.eu/esco/concept-scheme/skills';

const GENERIC_CREDENTIAL_PROFILE: ConceptSpec = { id: `${SNB}/credential/e34929035b`, label: 'Generic', scheme: `${SNB}/credential/25831c2` };
/** The SHACL shapes EDC itself validates a generic credential against (as in the Commission's sample). */
const EDC_SHACL_SCHEMA = { id: `${SNB}/model/ap/edc-generic-full`, type: 'ShaclValidator2017' };
const ECTS: ConceptSpec = { id: `${SNB}/education-credit/6fcec5c5af`, label: 'European Credit Transfer System', scheme: `${SNB}/education-credit/25831c2` };
const ENGLISH: ConceptSpec = { id: `${EU_AUTHORITY}/language/ENG`, label: 'English', scheme: `${EU_AUTHORITY}/language` };
const BASE64: ConceptSpec = { id: `${SNB}/encoding/6146cde7dd`, label: 'base64', scheme: `${SNB}/encoding/25831c2` };
const SVG: ConceptSpec = { id: `${EU_AUTHORITY}/file-type/SVG`, label: 'SVG', scheme: `${EU_AUTHORITY}/file-type` };

function eqfLevel(level: number): ConceptSpec {
  return { id: `${SNB}/eqf/${level}`, label: `Level ${level}`, scheme: `${SNB}/eqf/25831c2` };
}

// ELM's `mode` takes concepts from the learning-assessment scheme (as the Commission's sample does).
const MODES: Record<CredentialFacts['offering']['mode'], ConceptSpec> = {
  ONLINE: { id: `${SNB}/learning-assessment/920fbb3cbe`, label: 'Online', scheme: `${SNB}/learning-assessment/25831c2` },
  BLENDED: { id: `${SNB}/learning-assessment/e92d221e4d`, label: 'Blended', scheme: `${SNB}/learning-assessment/25831c2` },
  PRESENTIAL: { id: `${SNB}/learning-assessment/9191af2ed9`, label: 'Presential', scheme: `${SNB}/learning-assessment/25831c2` },
  WORK_BASED: { id: `${SNB}/learning-assessment/729f3bed4b`, label: 'Work-based', scheme: `${SNB}/learning-assessment/25831c2` },
};

const LEARNING_SETTINGS: Record<CredentialFacts['offering']['learningSetting'], ConceptSpec> = {
  FORMAL: { id: `${SNB}/learning-setting/6fd4685715`, label: 'formal learning', scheme: `${SNB}/learning-setting/25831c2` },
  NON_FORMAL: { id: `${SNB}/learning-setting/e207a81fc7`, label: 'non-formal learning', scheme: `${SNB}/learning-setting/25831c2` },
};

const ASSESSMENT_TYPES: Record<CredentialFacts['offering']['assessmentType'], ConceptSpec> = {
  WRITTEN_EXAM: { id: `${SNB}/assessment/6e6cb2cc78`, label: 'Written exam', scheme: `${SNB}/assessment/25831c2` },
  ORAL_EXAM: { id: `${SNB}/assessment/d30284d7df`, label: 'Oral exam', scheme: `${SNB}/assessment/25831c2` },
  PORTFOLIO: { id: `${SNB}/assessment/4f03b91c0e`, label: 'Portfolio', scheme: `${SNB}/assessment/25831c2` },
  PROJECT_WORK: { id: `${SNB}/assessment/795dac4096`, label: 'Project work', scheme: `${SNB}/assessment/25831c2` },
  PRACTICAL: { id: `${SNB}/assessment/6a4db9f11d`, label: 'Practical assessment', scheme: `${SNB}/assessment/25831c2` },
  PEER_ASSESSMENT: { id: `${SNB}/assessment/19a2e5e671`, label: 'Peer assessment', scheme: `${SNB}/assessment/25831c2` },
};

/** The hub's own concept schemes, for what the EU vocabularies we can cite do not cover. */
const ECIU_SCHEME = {
  proficiency: 'urn:eciu:concept-scheme:proficiency-level',
  supervision: 'urn:eciu:concept-scheme:supervision-verification',
  noteSubject: 'urn:eciu:concept-scheme:note-subject',
} as const;

type Supervision = NonNullable<CredentialFacts['achievement']['supervision']>;
const SUPERVISION: Record<Supervision, ConceptSpec> = {
  UNSUPERVISED_NO_ID_CHECK: {
    id: `${SNB}/supervision-verification/c598449d64`,
    label: 'Unsupervised without ID verification',
    scheme: `${SNB}/supervision-verification/25831c2`,
  },
  // The EU list has a "supervised without ID verification" concept too, but its URI is not
  // among the ones we can cite (DOMAIN.md, the Commission's sample); rather than guess an EU
  // URI, the hub names it in its own scheme. Replace with the EU URI once confirmed.
  SUPERVISED_NO_ID_CHECK: {
    id: 'urn:eciu:supervision-verification:supervised-without-id-verification',
    label: 'Supervised without ID verification',
    scheme: ECIU_SCHEME.supervision,
  },
  SUPERVISED_WITH_ID_CHECK: {
    id: `${SNB}/supervision-verification/70be69aaf9`,
    label: 'Supervised with ID verification',
    scheme: `${SNB}/supervision-verification/25831c2`,
  },
};

/*
 * Per-skill level. ELM has no property for the level a learner reached in a
 * skill; the Commission's Annex I sample puts a level concept from a framework
 * with levels (DigComp "… Level 4") in `relatedSkill`, next to `relatedESCOSkill`
 * in the same LearningOutcome. We do the same, with one concept per level of
 * our four bands. The bands are the four proficiency groups of DigComp 2.2
 * (each spanning two of its eight levels), which is where the alliance's
 * ProficiencyLevel comes from; they are not DigComp's own concepts (those are
 * per digital competence, and ours apply to any ESCO skill), so they live in
 * the hub's scheme, each with a definition a reader can check against DigComp.
 */
const PROFICIENCY: Record<ProficiencyLevel, ConceptSpec> = {
  FOUNDATION: {
    id: 'urn:eciu:proficiency-level:foundation',
    label: 'Foundation',
    notation: '1',
    scheme: ECIU_SCHEME.proficiency,
    definition: 'Carries out simple tasks, with guidance where needed (DigComp 2.2 proficiency levels 1–2).',
  },
  INTERMEDIATE: {
    id: 'urn:eciu:proficiency-level:intermediate',
    label: 'Intermediate',
    notation: '2',
    scheme: ECIU_SCHEME.proficiency,
    definition: 'Carries out well-defined tasks and solves straightforward problems independently (DigComp 2.2 proficiency levels 3–4).',
  },
  ADVANCED: {
    id: 'urn:eciu:proficiency-level:advanced',
    label: 'Advanced',
    notation: '3',
    scheme: ECIU_SCHEME.proficiency,
    definition: 'Handles varied tasks and problems, adapts to complex contexts and guides others (DigComp 2.2 proficiency levels 5–6).',
  },
  HIGHLY_SPECIALISED: {
    id: 'urn:eciu:proficiency-level:highly-specialised',
    label: 'Highly specialised',
    notation: '4',
    scheme: ECIU_SCHEME.proficiency,
    definition: 'Solves complex problems with few solutions, proposes new ideas and contributes to the field (DigComp 2.2 proficiency levels 7–8).',
  },
};

/** The concept a ProficiencyLevel is written as (exported for readers of issued credentials). */
export function proficiencyLevelConcept(level: ProficiencyLevel): Node {
  return concept(PROFICIENCY[level]);
}

type NoteSubject = 'quality-assurance' | 'external-accreditation' | 'level' | 'micro-credential-type' | 'stackability' | 'credit';
const NOTE_SUBJECT_LABELS: Record<NoteSubject, string> = {
  'quality-assurance': 'Quality assurance',
  'external-accreditation': 'External accreditation',
  level: 'Level and cycle',
  'micro-credential-type': 'Micro-credential type',
  stackability: 'Integration and stackability',
  credit: 'Credit',
};

/** ISO 3166-1 alpha-2 → the EU country authority's code (alpha-3) and English name. */
const COUNTRIES: Record<string, readonly [string, string]> = {
  AT: ['AUT', 'Austria'], BE: ['BEL', 'Belgium'], BG: ['BGR', 'Bulgaria'], HR: ['HRV', 'Croatia'], CY: ['CYP', 'Cyprus'],
  CZ: ['CZE', 'Czechia'], DK: ['DNK', 'Denmark'], EE: ['EST', 'Estonia'], FI: ['FIN', 'Finland'], FR: ['FRA', 'France'],
  DE: ['DEU', 'Germany'], GR: ['GRC', 'Greece'], HU: ['HUN', 'Hungary'], IE: ['IRL', 'Ireland'], IT: ['ITA', 'Italy'],
  LV: ['LVA', 'Latvia'], LT: ['LTU', 'Lithuania'], LU: ['LUX', 'Luxembourg'], MT: ['MLT', 'Malta'], NL: ['NLD', 'Netherlands'],
  PL: ['POL', 'Poland'], PT: ['PRT', 'Portugal'], RO: ['ROU', 'Romania'], SK: ['SVK', 'Slovakia'], SI: ['SVN', 'Slovenia'],
  ES: ['ESP', 'Spain'], SE: ['SWE', 'Sweden'], IS: ['ISL', 'Iceland'], LI: ['LIE', 'Liechtenstein'], NO: ['NOR', 'Norway'],
  CH: ['CHE', 'Switzerland'], GB: ['GBR', 'United Kingdom'], AL: ['ALB', 'Albania'], AD: ['AND', 'Andorra'], AM: ['ARM', 'Armenia'],
  AZ: ['AZE', 'Azerbaijan'], BA: ['BIH', 'Bosnia and Herzegovina'], GE: ['GEO', 'Georgia'], VA: ['VAT', 'Holy See'],
  KZ: ['KAZ', 'Kazakhstan'], MD: ['MDA', 'Moldova'], ME: ['MNE', 'Montenegro'], MK: ['MKD', 'North Macedonia'], RS: ['SRB', 'Serbia'],
  TR: ['TUR', 'Türkiye'], UA: ['UKR', 'Ukraine'], MX: ['MEX', 'Mexico'], US: ['USA', 'United States'], CA: ['CAN', 'Canada'],
};

function country(code: string): ConceptSpec & { name: string } {
  const entry = COUNTRIES[code.toUpperCase()];
  // A wrong country would be a false statement in a sealed credential (Annex I element 3): refuse instead.
  if (!entry) throw new Error(`Country "${code}" is not one the credential writer knows (ISO 3166-1 alpha-2 expected).`);
  return { id: `${EU_AUTHORITY}/country/${entry[0]}`, label: entry[1], scheme: `${EU_AUTHORITY}/country`, name: entry[1] };
}

/** Labels of the ISCED-F fields the alliance's offerings use most; others are named by their code. */
const ISCED_F_LABELS: Record<string, string> = {
  '0521': 'Environmental sciences',
  '0731': 'Architecture and town planning',
  '0732': 'Building and civil engineering',
};

function iscedF(code: string): ConceptSpec {
  if (!/^\d{2,4}$/.test(code)) throw new Error(`ISCED-F code "${code}" is not a 2–4 digit field code.`);
  return { id: `${SNB}/isced-f/${code}`, label: ISCED_F_LABELS[code] ?? `ISCED-F 2013 field ${code}`, notation: code, scheme: `${SNB}/isced-f/25831c2` };
}

function skillConcept(skill: { uri: string; label: string }): Node {
  return {
    id: skill.uri,
    type: 'Concept',
    ...(skill.uri.startsWith(ESCO_SKILL_PREFIX) ? { inScheme: { id: ESCO_SKILLS_SCHEME, type: 'ConceptScheme' } } : {}),
    prefLabel: en(skill.label),
  };
}

// ---------------------------------------------------------------- values

/** xsd:dateTime without milliseconds when there are none (shorter, and what EDC writes). */
function dateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('A credential date is not a valid date.');
  return date.toISOString().replace('.000Z', 'Z');
}

function dayStart(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new Error(`"${day}" is not a YYYY-MM-DD date.`);
  }
  return `${day}T00:00:00Z`;
}

/** ISO 8601 duration of a workload in hours, in whole minutes (xsd:duration without fractions). */
function workloadDuration(hours: number): string {
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`Workload ${hours} h is not a positive number of hours.`);
  const minutes = Math.round(hours * 60);
  const whole = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${whole > 0 ? `${whole}H` : ''}${rest > 0 ? `${rest}M` : ''}`;
}

/** ECTS points as ELM writes them: a string, no trailing zeros ("2", "1.5"). */
function points(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${value} is not a number of credit points.`);
  return String(Math.round(value * 100) / 100);
}

const CYCLES: Record<number, string> = {
  5: 'QF-EHEA short cycle',
  6: 'QF-EHEA first cycle (bachelor level)',
  7: 'QF-EHEA second cycle (master level)',
  8: 'QF-EHEA third cycle (doctoral level)',
};

const MICRO_CREDENTIAL_TYPES: Record<CredentialFacts['offering']['microCredentialType'], string> = {
  WITHIN_LEARNING_PATH: 'ECIU micro-credential type 1: formal learning within a regular learning path (stackable towards a degree).',
  OUTSIDE_LEARNING_PATH: 'ECIU micro-credential type 2: formal learning outside a regular learning path (stackable towards a larger micro-credential).',
  NON_FORMAL: 'ECIU micro-credential type 3: non-formal or informal learning.',
};

const OFFERING_KINDS: Record<CredentialFacts['offering']['kind'], string> = {
  MICRO_MODULE: 'Micro-module',
  CHALLENGE: 'Challenge',
  COURSE: 'Course',
};

function statusEntry(entry: StatusEntryFacts, statusPurpose: 'revocation' | 'suspension'): Node {
  if (!Number.isSafeInteger(entry.index) || entry.index < 0) throw new Error(`Status list index ${entry.index} is not a non-negative integer.`);
  return {
    id: `${entry.listUrl}#${entry.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose,
    statusListIndex: String(entry.index),
    statusListCredential: entry.listUrl,
  };
}

const xmlEscape = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] ?? char);

/**
 * The EBSI schema requires a DisplayParameter with at least one rendered page
 * (an image as base64). We cannot draw a PNG without a font renderer, so the
 * page is a small SVG that states the essentials in text, built from the facts
 * like everything else.
 */
function renderPage(lines: readonly { text: string; size: number; bold?: boolean }[]): string {
  let y = 70;
  const texts = lines.map((line) => {
    const element = `<text x="60" y="${y}" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ''}>${xmlEscape(line.text)}</text>`;
    y += Math.round(line.size * 1.9);
    return element;
  });
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="842" height="595" viewBox="0 0 842 595" font-family="sans-serif">' +
    '<rect width="842" height="595" fill="#ffffff" stroke="#1f3c88" stroke-width="8"/>' +
    texts.join('') +
    '</svg>';
  return Buffer.from(svg, 'utf8').toString('base64');
}

// ---------------------------------------------------------------- the credential

/**
 * The Europass form of a credential: the same credential, with its status
 * entries as the EBSI Europass EDC schema admits them. That schema closes
 * `credentialStatus` (one entry or every entry of an array) to
 * `{ id, type: "CredentialStatus" | "TrustedCredentialStatus2021" }`, so no
 * credential holding a W3C Bitstring Status List entry passes it, not even next
 * to a conforming one. Each Bitstring entry becomes a `CredentialStatus` with
 * the same id (`<status list URL>#<index>`): the same bit of the same list
 * decides it, and the hub's verification reads it from either form.
 * Everything else is byte for byte the credential of record.
 */
export function toEuropassForm(credential: Record<string, unknown>): Record<string, unknown> {
  const entries = credential['credentialStatus'];
  if (entries === undefined) return credential;
  const list = Array.isArray(entries) ? entries : [entries];
  const converted = list.map((entry) => {
    const id = (entry as { id?: unknown }).id;
    if (typeof id !== 'string') throw new Error('A status entry without an id cannot be written in the Europass form.');
    return { id, type: 'CredentialStatus' };
  });
  return { ...credential, credentialStatus: Array.isArray(entries) ? converted : converted[0] };
}

/**
 * The EDC (ELM 3.2) credential for the facts, unsigned. Throws when the facts
 * cannot make a truthful credential (an achievement that was not passed, a
 * micro-credential without learning outcomes, an unknown country or EQF level).
 */
export function buildCredential(facts: CredentialFacts): Record<string, unknown> {
  const { issuer: alliance, learner, awardingBody: member, achievement, offering } = facts;
  const participation = facts.kind === 'PARTICIPATION';
  // Credit is stated only when it is awarded; a certificate of participation never awards any.
  const creditBearing = !participation && offering.creditBearing;

  if (!achievement.passed) throw new Error(`Achievement "${achievement.id}" was not passed; no credential states it.`);
  if (!Number.isInteger(offering.eqfLevel) || offering.eqfLevel < 1 || offering.eqfLevel > 8) {
    throw new Error(`EQF level ${offering.eqfLevel} is not a level from 1 to 8.`);
  }
  if (!participation && facts.learningOutcomes.length === 0) {
    throw new Error(`Offering "${offering.id}" has no learning outcomes; a micro-credential must state them (Annex I element 6).`);
  }

  const ids = idsUnder(facts.credentialId);
  const issued = dateTime(facts.issuedAt);

  const note = (path: string, text: string, subject?: NoteSubject): Node => ({
    id: ids(path),
    type: 'Note',
    noteLiteral: en(text),
    ...(subject
      ? { subject: concept({ id: `urn:eciu:note-subject:${subject}`, label: NOTE_SUBJECT_LABELS[subject], scheme: ECIU_SCHEME.noteSubject }) }
      : {}),
  });
  const webResource = (path: string, url: string, title?: string): Node => ({
    id: ids(path),
    type: 'WebResource',
    ...(title ? { title: en(title) } : {}),
    contentURL: url,
  });

  /** An Organisation as the EBSI schema requires it: legalName and a location with a country. */
  const organisation = (orgId: string, name: string, countryCode: string, homepage: string | null, extra: Node = {}): Node => {
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
  };

  // ELM's shapes want an issuer's legal identifier (eIDAS) with the country that issued it.
  const issuer = organisation(
    alliance.id,
    alliance.name,
    alliance.country,
    alliance.homepage,
    alliance.legalIdentifier
      ? { eIDASIdentifier: { id: idsUnder(alliance.id)('legal-identifier'), type: 'LegalIdentifier', notation: alliance.legalIdentifier, spatial: concept(country(alliance.country)) } }
      : {},
  );

  const memberId = memberOrganisationId(member.id);
  const awardingBody = organisation(memberId, member.name, member.country, member.homepage, {
    identifier: { id: idsUnder(memberId)('identifier'), type: 'Identifier', notation: member.id, schemeName: 'SCHAC home organisation' },
    // The member belongs to the alliance that issues on its behalf (as the sample's "Research Alliance").
    groupMemberOf: { id: idsUnder(alliance.id)('members'), type: 'Group', prefLabel: en(alliance.name) },
  });

  // The member's award takes effect when the alliance issues on its behalf; the
  // assessment keeps its own date (provenBy.dateIssued).
  const awardingProcess: Node = {
    id: ids('awarding-process'),
    type: 'AwardingProcess',
    awardingBody,
    awardingDate: issued,
  };

  // A node described once is referenced by its id elsewhere (JSON-LD merges nodes by id): the
  // awarding process and body, and skill and level concepts, would otherwise be repeated in every
  // part of the claim, tripling the credential's size and the cost of sealing and verifying it.
  const awardingRef: Node = { id: awardingProcess.id, type: 'AwardingProcess', awardingBody: { id: memberId } };
  const described = new Set<string>();
  const describeOnce = (node: Node): Node => {
    const id = node['id'];
    if (typeof id !== 'string') return node;
    if (described.has(id)) return { id };
    described.add(id);
    return node;
  };

  const assessmentType = ASSESSMENT_TYPES[offering.assessmentType];
  const provenBy: Node = {
    id: ids('assessment'),
    type: 'LearningAssessment',
    title: en(`${assessmentType.label}: ${offering.title}`),
    // ELM requires a grade; a pass/fail assessment without a recorded grade is a pass.
    grade: note('assessment/grade', achievement.grade ?? 'Pass'),
    dateIssued: dayStart(achievement.assessedOn),
    ...(achievement.supervision ? { idVerification: concept(SUPERVISION[achievement.supervision]) } : {}),
    awardedBy: awardingRef,
    assessedBy: { id: memberId },
    specifiedBy: {
      id: ids('assessment/specification'),
      type: 'LearningAssessmentSpecification',
      title: en(assessmentType.label),
      dcType: concept(assessmentType),
      gradingScheme: {
        id: ids('assessment/specification/grading-scheme'),
        type: 'GradingScheme',
        title: en(achievement.gradingScheme.code),
        description: en(achievement.gradingScheme.description),
      },
    },
  };

  const learningOutcomes = facts.learningOutcomes.map((outcome, index): Node => {
    const related = [
      ...(outcome.skill && !outcome.skill.uri.startsWith(ESCO_SKILL_PREFIX) ? [describeOnce(skillConcept(outcome.skill))] : []),
      describeOnce(proficiencyLevelConcept(outcome.expectedProficiency)),
    ];
    return {
      id: ids(`specification/learning-outcome/${index}`),
      type: 'LearningOutcome',
      title: en(outcome.description),
      ...(outcome.skill?.uri.startsWith(ESCO_SKILL_PREFIX) ? { relatedESCOSkill: describeOnce(skillConcept(outcome.skill)) } : {}),
      // The expected level of this outcome, next to its skill (see PROFICIENCY).
      relatedSkill: related.length === 1 ? related[0] : related,
    };
  });

  const cycle = CYCLES[offering.eqfLevel];
  const notes: Node[] = [
    note('specification/note/quality-assurance', `Quality assurance: ${offering.qualityAssurance}`, 'quality-assurance'),
  ];
  if (offering.externalAccreditation) {
    const accreditation = offering.externalAccreditation;
    notes.push(
      note(
        'specification/note/external-accreditation',
        `External accreditation: ${accreditation.body}, reference ${accreditation.reference}, decided on ${accreditation.decidedOn}` +
          (accreditation.validUntil ? `, valid until ${accreditation.validUntil}.` : '.'),
        'external-accreditation',
      ),
    );
  }
  notes.push(note('specification/note/level', `Level: EQF ${offering.eqfLevel}${cycle ? `, ${cycle}` : ''}.`, 'level'));
  if (participation) {
    notes.push(
      note(
        'specification/note/credit',
        'Non-credit certificate of participation: it is not a micro-credential and awards no ECTS credits. The notional workload is given in hours.',
        'credit',
      ),
    );
  } else {
    notes.push(note('specification/note/micro-credential-type', MICRO_CREDENTIAL_TYPES[offering.microCredentialType], 'micro-credential-type'));
    notes.push(
      note(
        'specification/note/stackability',
        offering.stackability === 'STACKABLE'
          ? `Stackable towards ${offering.stackableTowards ?? 'another credential'}.`
          : 'Stand-alone micro-credential: not designed to stack towards another credential.',
        'stackability',
      ),
    );
    if (!creditBearing) {
      notes.push(
        note('specification/note/credit', 'Non-credit micro-credential: no ECTS credits are awarded. The notional workload is given in hours.', 'credit'),
      );
    }
  }

  const supplementary = offering.externalAccreditation?.url
    ? webResource('specification/external-accreditation', offering.externalAccreditation.url, 'External accreditation decision')
    : undefined;

  // ELM gives `eqfLevel` to Qualification only (the EBSI schema closes
  // LearningAchievementSpecification without it), and the Commission's Annex I
  // sample specifies its micro-credential as a Qualification: so does a
  // micro-credential here. A certificate of participation is not a
  // qualification; its LearningAchievementSpecification states the EQF level
  // in `educationLevel`, the generic property for a level in a framework.
  const eqf = concept(eqfLevel(offering.eqfLevel));
  const specification: Node = {
    id: ids('specification'),
    type: participation ? 'LearningAchievementSpecification' : 'Qualification',
    title: en(offering.title),
    ...(offering.description ? { description: en(offering.description) } : {}),
    identifier: { id: ids('specification/identifier'), type: 'Identifier', notation: offering.id, schemeName: 'ECIU hub offering id' },
    ...(offering.code ? { altLabel: en(offering.code) } : {}),
    category: en(OFFERING_KINDS[offering.kind]),
    additionalNote: notes,
    ...(supplementary ? { supplementaryDocument: supplementary } : {}),
    ...(offering.moreInformationUrl ? { homepage: webResource('specification/homepage', offering.moreInformationUrl, 'Further information') } : {}),
    volumeOfLearning: workloadDuration(offering.workloadHours),
    mode: concept(MODES[offering.mode]),
    ...(offering.iscedF ? { thematicArea: concept(iscedF(offering.iscedF)) } : {}),
    ...(creditBearing && offering.ects > 0
      ? { creditPoint: { id: ids('specification/credit-point'), type: 'CreditPoint', framework: concept(ECTS), point: points(offering.ects) } }
      : {}),
    learningSetting: concept(LEARNING_SETTINGS[offering.learningSetting]),
    ...(offering.prerequisites ? { entryRequirement: note('specification/entry-requirement', offering.prerequisites) } : {}),
    learningOutcome: learningOutcomes,
    ...(participation ? { educationLevel: eqf } : { eqfLevel: eqf }),
  };

  // The level the learner reached in each skill belongs to the learner's claim,
  // not to the offering: one part per acquired skill, each specified by a single
  // learning outcome that pairs the ESCO skill with the level concept.
  const acquiredParts = facts.acquiredSkills.map((acquired, index): Node => {
    const path = `achievement/acquired-skill/${index}`;
    const level = PROFICIENCY[acquired.level];
    const isEsco = acquired.skill.uri.startsWith(ESCO_SKILL_PREFIX);
    return {
      id: ids(path),
      type: 'LearningAchievement',
      title: en(`${acquired.skill.label}: ${level.label}`),
      awardedBy: awardingRef,
      specifiedBy: {
        id: ids(`${path}/specification`),
        type: 'LearningAchievementSpecification',
        title: en(acquired.skill.label),
        learningOutcome: {
          id: ids(`${path}/specification/learning-outcome`),
          type: 'LearningOutcome',
          title: en(`${acquired.skill.label} (${level.label.toLowerCase()} level reached)`),
          ...(isEsco ? { relatedESCOSkill: describeOnce(skillConcept(acquired.skill)) } : {}),
          relatedSkill: isEsco ? describeOnce(concept(level)) : [describeOnce(skillConcept(acquired.skill)), describeOnce(concept(level))],
        },
      },
    };
  });

  const claimTitle = participation ? `Certificate of participation (non-credit): ${offering.title}` : offering.title;
  const fullName = `${learner.givenName} ${learner.familyName}`;
  const claim: Node = {
    id: ids('achievement'),
    type: 'LearningAchievement',
    title: en(claimTitle),
    ...(participation
      ? {
          description: en(
            `${fullName} took part in "${offering.title}" at ${member.name} and completed its assessment. ` +
              'This is a non-credit certificate of participation, not a micro-credential: it awards no ECTS credits.',
          ),
        }
      : {}),
    identifier: { id: ids('achievement/identifier'), type: 'Identifier', notation: achievement.id, schemeName: 'ECIU hub achievement id' },
    ...(creditBearing && achievement.ectsAwarded > 0
      ? { creditReceived: { id: ids('achievement/credit-received'), type: 'CreditPoint', framework: concept(ECTS), point: points(achievement.ectsAwarded) } }
      : {}),
    awardedBy: awardingProcess,
    provenBy,
    specifiedBy: specification,
    ...(acquiredParts.length > 0 ? { hasPart: acquiredParts } : {}),
  };

  const credentialSubject: Node = {
    id: learner.id,
    type: 'Person',
    ...(learner.studentNumber
      ? {
          identifier: {
            id: ids('learner/student-number'),
            type: 'Identifier',
            notation: learner.studentNumber,
            schemeName: 'Student number',
            schemeAgency: en(member.name),
          },
        }
      : {}),
    fullName: en(fullName),
    givenName: en(learner.givenName),
    familyName: en(learner.familyName),
    ...(learner.email
      ? { contactPoint: { id: ids('learner/contact-point'), type: 'ContactPoint', emailAddress: { id: `mailto:${learner.email}`, type: 'Mailbox' } } }
      : {}),
    hasClaim: claim,
  };

  const displayTitle = participation ? 'Certificate of participation (non-credit)' : 'Micro-credential';
  const countryName = country(member.country).name;
  const creditLine = creditBearing && achievement.ectsAwarded > 0
    ? `${points(achievement.ectsAwarded)} ECTS · EQF level ${offering.eqfLevel} · ${offering.workloadHours} hours`
    : `No ECTS credits awarded · EQF level ${offering.eqfLevel} · ${offering.workloadHours} hours`;
  const page = renderPage([
    { text: alliance.name, size: 20, bold: true },
    { text: displayTitle, size: 30, bold: true },
    { text: fullName, size: 24 },
    { text: claimTitle, size: 18 },
    { text: `Awarded by ${member.name} (${countryName})`, size: 16 },
    { text: creditLine, size: 16 },
    { text: `Issued ${issued.slice(0, 10)}`, size: 14 },
    { text: facts.credentialId, size: 11 },
  ]);
  const displayParameter: Node = {
    id: ids('display'),
    type: 'DisplayParameter',
    title: en(displayTitle),
    description: en(
      participation
        ? `took part in ${offering.title} (non-credit certificate of participation)`
        : `has successfully completed ${offering.title}`,
    ),
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
          content: page,
        },
        page: 1,
      },
    },
  };

  return {
    '@context': [VC_V2_CONTEXT, edcContextUrl(alliance.id)],
    id: facts.credentialId,
    type: [...CREDENTIAL_TYPES],
    credentialProfiles: concept(GENERIC_CREDENTIAL_PROFILE),
    credentialSchema: { ...EDC_SHACL_SCHEMA },
    issuer,
    issued,
    validFrom: dateTime(facts.validFrom),
    ...(facts.validUntil ? { validUntil: dateTime(facts.validUntil) } : {}),
    credentialSubject,
    credentialStatus: [statusEntry(facts.status.revocation, 'revocation'), statusEntry(facts.status.suspension, 'suspension')],
    displayParameter,
  };
}
