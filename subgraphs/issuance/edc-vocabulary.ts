import { hash } from 'node:crypto';
import { statusEntry as bitstringStatusEntry, type StatusPurpose } from '../../lib/status-list.js';
import type { CredentialFacts, ProficiencyLevel, StatusEntryFacts } from './facts.js';

/*
 * The vocabulary edc.ts writes credentials with: identifiers derived from URIs,
 * the EU and ESCO concepts (and the hub's own where the EU has none) and value
 * formats ELM expects. Split from edc.ts so the credential's shape reads on its own.
 */

/** A JSON-LD node. */
export type Node = Record<string, unknown>;

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
export function idsUnder(base: string): (path: string) => string {
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

export const en = (text: string): Record<string, string> => ({ en: text });

interface ConceptSpec {
  id: string;
  label: string;
  scheme: string;
  notation?: string;
  definition?: string;
}

export function concept(spec: ConceptSpec): Node {
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
export const ESCO_SKILL_PREFIX = 'http://data.europa.eu/esco/skill/';
const ESCO_SKILLS_SCHEME = 'http://data.europa.eu/esco/concept-scheme/skills';

export const GENERIC_CREDENTIAL_PROFILE: ConceptSpec = { id: `${SNB}/credential/e34929035b`, label: 'Generic', scheme: `${SNB}/credential/25831c2` };
/** The SHACL shapes EDC itself validates a generic credential against (as in the Commission's sample). */
export const EDC_SHACL_SCHEMA = { id: `${SNB}/model/ap/edc-generic-full`, type: 'ShaclValidator2017' };
export const ECTS: ConceptSpec = { id: `${SNB}/education-credit/6fcec5c5af`, label: 'European Credit Transfer System', scheme: `${SNB}/education-credit/25831c2` };
export const ENGLISH: ConceptSpec = { id: `${EU_AUTHORITY}/language/ENG`, label: 'English', scheme: `${EU_AUTHORITY}/language` };
export const BASE64: ConceptSpec = { id: `${SNB}/encoding/6146cde7dd`, label: 'base64', scheme: `${SNB}/encoding/25831c2` };
export const SVG: ConceptSpec = { id: `${EU_AUTHORITY}/file-type/SVG`, label: 'SVG', scheme: `${EU_AUTHORITY}/file-type` };

export function eqfLevel(level: number): ConceptSpec {
  return { id: `${SNB}/eqf/${level}`, label: `Level ${level}`, scheme: `${SNB}/eqf/25831c2` };
}

// ELM's `mode` takes concepts from the learning-assessment scheme (as the Commission's sample does).
export const MODES: Record<CredentialFacts['offering']['mode'], ConceptSpec> = {
  ONLINE: { id: `${SNB}/learning-assessment/920fbb3cbe`, label: 'Online', scheme: `${SNB}/learning-assessment/25831c2` },
  BLENDED: { id: `${SNB}/learning-assessment/e92d221e4d`, label: 'Blended', scheme: `${SNB}/learning-assessment/25831c2` },
  PRESENTIAL: { id: `${SNB}/learning-assessment/9191af2ed9`, label: 'Presential', scheme: `${SNB}/learning-assessment/25831c2` },
  WORK_BASED: { id: `${SNB}/learning-assessment/729f3bed4b`, label: 'Work-based', scheme: `${SNB}/learning-assessment/25831c2` },
};

export const LEARNING_SETTINGS: Record<CredentialFacts['offering']['learningSetting'], ConceptSpec> = {
  FORMAL: { id: `${SNB}/learning-setting/6fd4685715`, label: 'formal learning', scheme: `${SNB}/learning-setting/25831c2` },
  NON_FORMAL: { id: `${SNB}/learning-setting/e207a81fc7`, label: 'non-formal learning', scheme: `${SNB}/learning-setting/25831c2` },
};

export const ASSESSMENT_TYPES: Record<CredentialFacts['offering']['assessmentType'], ConceptSpec> = {
  WRITTEN_EXAM: { id: `${SNB}/assessment/6e6cb2cc78`, label: 'Written exam', scheme: `${SNB}/assessment/25831c2` },
  ORAL_EXAM: { id: `${SNB}/assessment/d30284d7df`, label: 'Oral exam', scheme: `${SNB}/assessment/25831c2` },
  PORTFOLIO: { id: `${SNB}/assessment/4f03b91c0e`, label: 'Portfolio', scheme: `${SNB}/assessment/25831c2` },
  PROJECT_WORK: { id: `${SNB}/assessment/795dac4096`, label: 'Project work', scheme: `${SNB}/assessment/25831c2` },
  PRACTICAL: { id: `${SNB}/assessment/6a4db9f11d`, label: 'Practical assessment', scheme: `${SNB}/assessment/25831c2` },
  PEER_ASSESSMENT: { id: `${SNB}/assessment/19a2e5e671`, label: 'Peer assessment', scheme: `${SNB}/assessment/25831c2` },
};

/** The hub's own concept schemes, for what the EU vocabularies we can cite do not cover. */
export const ECIU_SCHEME = {
  proficiency: 'urn:eciu:concept-scheme:proficiency-level',
  supervision: 'urn:eciu:concept-scheme:supervision-verification',
  noteSubject: 'urn:eciu:concept-scheme:note-subject',
} as const;

type Supervision = NonNullable<CredentialFacts['achievement']['supervision']>;
export const SUPERVISION: Record<Supervision, ConceptSpec> = {
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
export const PROFICIENCY: Record<ProficiencyLevel, ConceptSpec> = {
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

export type NoteSubject = 'quality-assurance' | 'external-accreditation' | 'level' | 'micro-credential-type' | 'stackability' | 'credit';
export const NOTE_SUBJECT_LABELS: Record<NoteSubject, string> = {
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

export function country(code: string): ConceptSpec & { name: string } {
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

export function iscedF(code: string): ConceptSpec {
  if (!/^\d{2,4}$/.test(code)) throw new Error(`ISCED-F code "${code}" is not a 2–4 digit field code.`);
  return { id: `${SNB}/isced-f/${code}`, label: ISCED_F_LABELS[code] ?? `ISCED-F 2013 field ${code}`, notation: code, scheme: `${SNB}/isced-f/25831c2` };
}

export function skillConcept(skill: { uri: string; label: string }): Node {
  return {
    id: skill.uri,
    type: 'Concept',
    ...(skill.uri.startsWith(ESCO_SKILL_PREFIX) ? { inScheme: { id: ESCO_SKILLS_SCHEME, type: 'ConceptScheme' } } : {}),
    prefLabel: en(skill.label),
  };
}

// ---------------------------------------------------------------- values

/** xsd:dateTime without milliseconds when there are none (shorter, and what EDC writes). */
export function dateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('A credential date is not a valid date.');
  return date.toISOString().replace('.000Z', 'Z');
}

export function dayStart(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new Error(`"${day}" is not a YYYY-MM-DD date.`);
  }
  return `${day}T00:00:00Z`;
}

/** ISO 8601 duration of a workload in hours, in whole minutes (xsd:duration without fractions). */
export function workloadDuration(hours: number): string {
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`Workload ${hours} h is not a positive number of hours.`);
  const minutes = Math.round(hours * 60);
  const whole = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `PT${whole > 0 ? `${whole}H` : ''}${rest > 0 ? `${rest}M` : ''}`;
}

/** ECTS points as ELM writes them: a string, no trailing zeros ("2", "1.5"). */
export function points(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${value} is not a number of credit points.`);
  return String(Math.round(value * 100) / 100);
}

export const CYCLES: Record<number, string> = {
  5: 'QF-EHEA short cycle',
  6: 'QF-EHEA first cycle (bachelor level)',
  7: 'QF-EHEA second cycle (master level)',
  8: 'QF-EHEA third cycle (doctoral level)',
};

export const MICRO_CREDENTIAL_TYPES: Record<CredentialFacts['offering']['microCredentialType'], string> = {
  WITHIN_LEARNING_PATH: 'ECIU micro-credential type 1: formal learning within a regular learning path (stackable towards a degree).',
  OUTSIDE_LEARNING_PATH: 'ECIU micro-credential type 2: formal learning outside a regular learning path (stackable towards a larger micro-credential).',
  NON_FORMAL: 'ECIU micro-credential type 3: non-formal or informal learning.',
};

export const OFFERING_KINDS: Record<CredentialFacts['offering']['kind'], string> = {
  MICRO_MODULE: 'Micro-module',
  CHALLENGE: 'Challenge',
  COURSE: 'Course',
};

export function statusEntry(entry: StatusEntryFacts, statusPurpose: StatusPurpose): Node {
  // The hub's one status entry (lib/status-list.ts: list URL, purpose and index checked there), as an EDC node.
  return { ...bitstringStatusEntry({ listUrl: entry.listUrl, index: entry.index, statusPurpose }) };
}

const xmlEscape = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] ?? char);

/**
 * The EBSI schema requires a DisplayParameter with at least one rendered page
 * (an image as base64). We cannot draw a PNG without a font renderer, so the
 * page is a small SVG that states the essentials in text, built from the facts
 * like everything else.
 */
export function renderPage(lines: readonly { text: string; size: number; bold?: boolean }[]): string {
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
