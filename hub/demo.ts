import { globalId } from '../lib/ids.js';
import { foldText } from '../lib/text.js';
import {
  AssessmentType,
  EnrolmentStatus,
  LearningMode,
  LearningSetting,
  MicroCredentialType,
  OpportunityKind,
  ProficiencyLevel,
  Stackability,
  SupervisionVerification,
  AccreditationAuthority,
} from '../subgraphs/member/enums.js';
import { gradingScheme } from '../subgraphs/member/grading.js';
import { offeringSearchText, offeringSortTitle } from '../subgraphs/member/search-text.js';
import { ALLIANCE_MEMBERS, type MemberProfile } from './alliance.js';
import { CHALLENGE_THEMES, COURSES, DEMO_SKILLS, MICRO_MODULES, type OfferingTemplate } from './catalogue.js';

/*
 * Deterministic demo data for the whole alliance. Every value comes from a
 * pseudo-random stream seeded by what it describes (member, offering, learner
 * index), so any member can seed its own share without generating the others,
 * and the central learner register agrees with every member.
 */

/** FNV-1a: a stable 32-bit hash of a string, to seed the streams. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for demo data. */
export function randomStream(seed: string): () => number {
  let state = hash(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function weighted<T>(random: () => number, choices: readonly [T, number][]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (choices[choices.length - 1] as [T, number])[0];
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

const base36 = (value: number, length: number) => value.toString(36).padStart(length, '0').slice(-length);

export interface DemoOptions {
  /** Number of alliance learners (the size knob). */
  learners: number;
  /** Changes every generated value; the default gives the documented demo. */
  seed?: string;
}

export const DEFAULT_DEMO_LEARNERS = 1_200;
const DEFAULT_SEED = 'eciu-demo-v1';

export interface DemoOutcome {
  position: number;
  description: string;
  skillUri: string;
  expectedProficiency: ProficiencyLevel;
}

export interface DemoOffering {
  id: string;
  code: string;
  title: string;
  sortTitle: string;
  searchText: string;
  description: string;
  kind: OpportunityKind;
  microCredentialType: MicroCredentialType;
  ects: number;
  workloadHours: number;
  eqfLevel: number;
  iscedF: string;
  assessmentType: AssessmentType;
  mode: LearningMode;
  learningSetting: LearningSetting;
  qualityAssurance: string;
  prerequisites: string | null;
  supervision: SupervisionVerification | null;
  stackability: Stackability;
  stackableTowards: string | null;
  sdgList: string;
  languageList: string;
  startDate: string;
  endDate: string;
  enrolmentDeadline: string;
  capacity: number | null;
  creditBearing: boolean;
  moreInformationUrl: string;
  accreditationReference: string | null;
  accreditationBody: string | null;
  accreditationDecidedOn: string | null;
  accreditationValidUntil: string | null;
  accreditationUrl: string | null;
  outcomes: DemoOutcome[];
}

const TERM_STARTS = ['2024-09-02', '2025-01-13', '2025-03-17', '2025-09-01', '2026-01-12', '2026-03-16', '2026-09-07', '2027-01-11'];

function outcomesOf(template: OfferingTemplate): DemoOutcome[] {
  return template.outcomes.map((outcome, index) => ({
    position: index + 1,
    description: outcome.description,
    skillUri: outcome.skill,
    expectedProficiency: outcome.level,
  }));
}

/** The member's catalogue: one flagship challenge, a second challenge, micro-modules and courses. */
export function generateOfferings(member: MemberProfile, seed = DEFAULT_SEED): DemoOffering[] {
  const memberIndex = ALLIANCE_MEMBERS.findIndex((candidate) => candidate.id === member.id);
  const offerings: DemoOffering[] = [];
  const needsExternal = member.accreditationAuthority === AccreditationAuthority.NONE;
  const build = (
    local: string,
    template: OfferingTemplate,
    kind: OpportunityKind,
    overrides: { title?: string; description?: string; ects?: number; creditBearing?: boolean; eqfLevel?: number },
  ): DemoOffering => {
    const random = randomStream(`${seed}:offering:${member.id}:${local}`);
    const title = overrides.title ?? template.title;
    const ects = overrides.ects ?? pick(random, [1, 1.5, 2, 2, 3, 3]);
    const creditBearing = overrides.creditBearing ?? true;
    const start = pick(random, TERM_STARTS);
    const weeks = kind === OpportunityKind.COURSE ? 14 : kind === OpportunityKind.CHALLENGE ? 10 : pick(random, [4, 5, 6, 8]);
    const mode = kind === OpportunityKind.CHALLENGE ? weighted(random, [[LearningMode.BLENDED, 3], [LearningMode.PRESENTIAL, 1]]) : weighted(random, [[LearningMode.ONLINE, 5], [LearningMode.BLENDED, 3], [LearningMode.PRESENTIAL, 1]]);
    // Members without authority to accredit get an external record for two thirds of their credit-bearing offerings.
    const accredited = creditBearing && needsExternal && random() < 0.67;
    const decidedOn = addDays(start, -120);
    const microCredentialType =
      kind === OpportunityKind.COURSE
        ? MicroCredentialType.WITHIN_LEARNING_PATH
        : kind === OpportunityKind.CHALLENGE
          ? creditBearing ? MicroCredentialType.OUTSIDE_LEARNING_PATH : MicroCredentialType.NON_FORMAL
          : weighted(random, [[MicroCredentialType.OUTSIDE_LEARNING_PATH, 3], [MicroCredentialType.WITHIN_LEARNING_PATH, 1]]);
    const description = overrides.description ?? template.description;
    const outcomes = outcomesOf(template);
    return {
      id: globalId(member.id, local),
      code: `${member.shortName.toUpperCase().replace(/[^A-Z]/g, '')}-${local.toUpperCase()}`,
      title,
      sortTitle: offeringSortTitle(title),
      searchText: offeringSearchText(title, description, outcomes.map((outcome) => outcome.description)),
      description,
      kind,
      microCredentialType,
      ects,
      workloadHours: Math.round(ects * 27),
      eqfLevel: overrides.eqfLevel ?? pick(random, [6, 6, 7]),
      iscedF: template.iscedF,
      assessmentType: template.assessment,
      mode,
      learningSetting: creditBearing ? LearningSetting.FORMAL : LearningSetting.NON_FORMAL,
      qualityAssurance: `Internal quality assurance of ${member.name}, under ${member.qaBody}: ${member.qaArrangement.toLowerCase()}.`,
      prerequisites: kind === OpportunityKind.COURSE ? 'A bachelor degree in a related field.' : random() < 0.3 ? 'Basic statistics or equivalent.' : null,
      supervision:
        template.assessment === AssessmentType.WRITTEN_EXAM
          ? SupervisionVerification.SUPERVISED_WITH_ID_CHECK
          : template.assessment === AssessmentType.PEER_ASSESSMENT
            ? SupervisionVerification.UNSUPERVISED_NO_ID_CHECK
            : SupervisionVerification.SUPERVISED_NO_ID_CHECK,
      stackability: kind === OpportunityKind.CHALLENGE && !creditBearing ? Stackability.STAND_ALONE : Stackability.STACKABLE,
      stackableTowards: kind === OpportunityKind.CHALLENGE && !creditBearing ? null : 'ECIU micro-credential in Sustainable Cities (15 ECTS)',
      sdgList: template.sdgs.join(','),
      languageList: random() < 0.2 ? `en,${member.language}` : 'en',
      startDate: start,
      endDate: addDays(start, weeks * 7 - 3),
      enrolmentDeadline: addDays(start, -14),
      capacity: kind === OpportunityKind.CHALLENGE ? 30 : random() < 0.5 ? null : pick(random, [40, 60, 80, 120]),
      creditBearing,
      moreInformationUrl: `${member.website}/eciu/${local}`,
      accreditationReference: accredited ? `${member.externalAccreditor ?? 'EXT'}-${decidedOn.slice(0, 4)}-${base36(hash(`${member.id}:${local}`), 5).toUpperCase()}` : null,
      accreditationBody: accredited ? (member.externalAccreditor ?? null) : null,
      accreditationDecidedOn: accredited ? decidedOn : null,
      accreditationValidUntil: accredited ? addDays(decidedOn, 6 * 365) : null,
      accreditationUrl: null,
      outcomes,
    };
  };

  // The flagship SDG 11 challenge is each member's only title starting with "Sustainable".
  const flagship = CHALLENGE_THEMES[memberIndex % CHALLENGE_THEMES.length] as (typeof CHALLENGE_THEMES)[number];
  const challengeTemplate = (theme: (typeof CHALLENGE_THEMES)[number]): OfferingTemplate => ({
    title: '',
    description: '',
    iscedF: '0731',
    assessment: AssessmentType.PROJECT_WORK,
    sdgs: [11, 13, 17],
    outcomes: [
      { description: `Co-create a solution for ${theme.focus} with a city partner.`, skill: theme.skill, level: ProficiencyLevel.INTERMEDIATE },
      { description: 'Work in an international, interdisciplinary challenge team.', skill: DEMO_SKILLS.workInTeams, level: ProficiencyLevel.INTERMEDIATE },
      { description: 'Frame and solve an open, real-world problem.', skill: DEMO_SKILLS.solveProblems, level: ProficiencyLevel.INTERMEDIATE },
      theme.skill === DEMO_SKILLS.urbanSustainability
        ? { description: 'Promote the solution to residents and city staff.', skill: DEMO_SKILLS.promoteSustainability, level: ProficiencyLevel.FOUNDATION }
        : { description: 'Relate the solution to urban sustainability goals.', skill: DEMO_SKILLS.urbanSustainability, level: ProficiencyLevel.FOUNDATION },
    ],
  });
  offerings.push(
    build('ch-101', challengeTemplate(flagship), OpportunityKind.CHALLENGE, {
      title: `Sustainable ${member.city}: ${flagship.theme} challenge`,
      description: `A challenge set by the city of ${member.city}: teams of learners from across the alliance work on a ${flagship.theme} (UN SDG 11).`,
      ects: 5,
      creditBearing: true,
      eqfLevel: 6,
    }),
  );
  const second = CHALLENGE_THEMES[(memberIndex + 2) % CHALLENGE_THEMES.length] as (typeof CHALLENGE_THEMES)[number];
  offerings.push(
    build('ch-102', challengeTemplate(second), OpportunityKind.CHALLENGE, {
      title: `${member.city} City Lab: ${second.theme}`,
      description: `An extra-curricular challenge with ${member.city} on ${second.focus}, open to all alliance learners; sustainable solutions are piloted with residents.`,
      ects: 2,
      creditBearing: false,
      eqfLevel: 5,
    }),
  );
  MICRO_MODULES.forEach((template, index) => {
    // Each micro-module runs at about a third of the members, in rotation.
    if ((index + memberIndex) % 3 === 0) offerings.push(build(`mm-${200 + index}`, template, OpportunityKind.MICRO_MODULE, {}));
  });
  COURSES.forEach((template, index) => {
    if ((index + memberIndex) % 2 === 0) offerings.push(build(`co-${300 + index}`, template, OpportunityKind.COURSE, { ects: 5, eqfLevel: 7 }));
  });
  return offerings;
}

export interface DemoAchievement {
  id: string;
  assessedOn: string;
  grade: string;
  gradingSchemeCode: string;
  passed: boolean;
  ectsAwarded: number;
  supervision: SupervisionVerification | null;
  skills: { skillUri: string; level: ProficiencyLevel }[];
}

export interface DemoEnrolment {
  id: string;
  opportunityId: string;
  status: EnrolmentStatus;
  enrolledAt: Date;
  statusChangedAt: Date;
  achievement: DemoAchievement | null;
}

export interface DemoAccount {
  id: string;
  memberId: string;
  /** The learner's home member: their first account's member (all are opened together here, so the first by id). */
  homeMemberId: string;
  studentNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  createdAt: Date;
  enrolments: DemoEnrolment[];
}

export interface DemoLearner {
  id: string;
  createdAt: Date;
  accounts: DemoAccount[];
}

const GIVEN_NAMES = ['Aino', 'Mikkel', 'Saoirse', 'Lukas', 'Gabija', 'Elsa', 'Lucía', 'Inês', 'Ingrid', 'Giulia', 'Camille', 'Sofía', 'Daan', 'Emil', 'Oisín', 'Jonas', 'Matas', 'Oskar', 'Pau', 'Tiago', 'Sander', 'Marco', 'Hugo', 'Diego'];
const FAMILY_NAMES = ['Virtanen', 'Jensen', 'Murphy', 'Schmidt', 'Kazlauskas', 'Lindqvist', 'García', 'Silva', 'Hansen', 'Rossi', 'Martin', 'Hernández', 'de Vries', 'Nielsen', 'Byrne', 'Weber', 'Petrauskas', 'Andersson', 'Puig', 'Santos', 'Olsen', 'Bianchi', 'Bernard', 'López'];
const LEVELS = [ProficiencyLevel.FOUNDATION, ProficiencyLevel.INTERMEDIATE, ProficiencyLevel.ADVANCED, ProficiencyLevel.HIGHLY_SPECIALISED];

function asciiFold(text: string): string {
  return foldText(text).replace(/[^a-z0-9]/g, '');
}

/** The alliance id of learner number `index`: pseudonymous, stable, 17 characters. */
export function learnerId(index: number, seed = DEFAULT_SEED): string {
  return `eciu-${base36(hash(`${seed}:learner:${index}`), 6)}${base36(hash(`${seed}:learner-b:${index}`), 6)}`;
}

/** How many members a learner studies at: the first learners of the demo span 3–4 members so they show cross-member pathways. */
function memberCount(index: number, random: () => number): number {
  if (index < 20) return 3 + (index % 2);
  return weighted(random, [[1, 35], [2, 35], [3, 20], [4, 10]]);
}

function grade(random: () => number, schemeCode: string, passed: boolean): string {
  const scheme = gradingScheme(schemeCode);
  const choices = passed ? scheme.passing : scheme.failing;
  // Passing grades cluster in the upper-middle of the scale, as real grade distributions do.
  const position = passed ? Math.min(choices.length - 1, Math.floor(Math.abs(random() + random() - 1) * choices.length)) : Math.floor(random() * choices.length);
  return choices[position] ?? (passed ? 'pass' : 'fail');
}

/**
 * Generates learner number `index` with their accounts, enrolments and
 * assessed achievements at each member they study at.
 */
export function generateLearner(index: number, catalogues: ReadonlyMap<string, DemoOffering[]>, seed = DEFAULT_SEED): DemoLearner {
  const random = randomStream(`${seed}:learner:${index}`);
  const id = learnerId(index, seed);
  const members = [...ALLIANCE_MEMBERS];
  const chosen: MemberProfile[] = [];
  const count = memberCount(index, random);
  while (chosen.length < count) {
    const member = members.splice(Math.floor(random() * members.length), 1)[0] as MemberProfile;
    chosen.push(member);
  }
  const givenName = pick(random, GIVEN_NAMES);
  const familyName = pick(random, FAMILY_NAMES);
  const joined = new Date(Date.UTC(2024, 6, 1) + Math.floor(random() * 500) * 86_400_000);
  const homeMemberId = chosen.map((member) => member.id).sort()[0] as string;
  const accounts = chosen.map((member): DemoAccount => {
    const local = `lrn-${base36(hash(`${seed}:account:${member.id}:${index}`), 7)}`;
    const catalogue = catalogues.get(member.id) ?? [];
    const available = [...catalogue];
    const enrolmentCount = Math.min(available.length, 1 + Math.floor(random() * 4));
    const enrolments: DemoEnrolment[] = [];
    for (let k = 0; k < enrolmentCount; k += 1) {
      const offering = available.splice(Math.floor(random() * available.length), 1)[0] as DemoOffering;
      const finished = offering.endDate < '2026-11-01';
      const status = finished
        ? weighted(random, [[EnrolmentStatus.COMPLETED, 84], [EnrolmentStatus.WITHDRAWN, 10], [EnrolmentStatus.NOT_ADMITTED, 6]])
        : weighted(random, [[EnrolmentStatus.ENROLLED, 75], [EnrolmentStatus.APPLIED, 25]]);
      const enrolledOn = addDays(offering.enrolmentDeadline, -Math.floor(random() * 30));
      const enrolledAt = new Date(`${enrolledOn}T${String(8 + Math.floor(random() * 10)).padStart(2, '0')}:00:00Z`);
      const enrolmentLocal = `enr-${local.slice(4)}-${k + 1}`;
      let achievement: DemoAchievement | null = null;
      let statusChangedAt = enrolledAt;
      if (status === EnrolmentStatus.COMPLETED) {
        const passed = random() < 0.88;
        const assessedOn = addDays(offering.endDate, 3 + Math.floor(random() * 14));
        statusChangedAt = new Date(`${assessedOn}T12:00:00Z`);
        achievement = {
          id: globalId(member.id, `ach-${local.slice(4)}-${k + 1}`),
          assessedOn,
          grade: grade(random, member.gradingScheme, passed),
          gradingSchemeCode: member.gradingScheme,
          passed,
          ectsAwarded: passed && offering.creditBearing ? offering.ects : 0,
          supervision: offering.supervision,
          skills: passed
            ? offering.outcomes.map((outcome) => {
                const expected = LEVELS.indexOf(outcome.expectedProficiency);
                const reached = Math.max(0, Math.min(LEVELS.length - 1, expected + weighted(random, [[-1, 2], [0, 6], [1, 2]])));
                return { skillUri: outcome.skillUri, level: LEVELS[reached] as ProficiencyLevel };
              })
            : [],
        };
      } else if (status !== EnrolmentStatus.ENROLLED && status !== EnrolmentStatus.APPLIED) {
        statusChangedAt = new Date(`${addDays(offering.startDate, 7)}T12:00:00Z`);
      }
      enrolments.push({ id: globalId(member.id, enrolmentLocal), opportunityId: offering.id, status, enrolledAt, statusChangedAt, achievement });
    }
    return {
      id: globalId(member.id, local),
      memberId: member.id,
      homeMemberId,
      studentNumber: `${member.shortName.toUpperCase().replace(/[^A-Z]/g, '')}${String(100000 + (hash(`${member.id}:${index}`) % 900000))}`,
      givenName,
      familyName,
      email: `${asciiFold(givenName)}.${asciiFold(familyName)}.${base36(index, 5)}@student.${member.id}`,
      createdAt: joined,
      enrolments,
    };
  });
  return { id, createdAt: joined, accounts };
}

/** All members' catalogues, keyed by member id. */
export function generateCatalogues(seed = DEFAULT_SEED): Map<string, DemoOffering[]> {
  return new Map(ALLIANCE_MEMBERS.map((member) => [member.id, generateOfferings(member, seed)]));
}

export function demoSeed(options: DemoOptions): string {
  return options.seed ?? DEFAULT_SEED;
}

/**
 * A learner with a long record, for benchmarks: `achievements` passed
 * offerings taken across the members in turn (a few at each), with the skills
 * of every outcome at the expected level. Deterministic; not part of the
 * documented demo data (the benchmark adds it to its own data folder).
 */
export function generateLongRecordLearner(id: string, catalogues: ReadonlyMap<string, DemoOffering[]>, achievements = 40): DemoLearner {
  const accounts = new Map<string, DemoAccount>();
  const members = [...catalogues.keys()];
  const createdAt = new Date('2024-08-01T09:00:00Z');
  const schemeOf = (memberId: string) => ALLIANCE_MEMBERS.find((member) => member.id === memberId)?.gradingScheme ?? '';
  for (let n = 0, round = 0; n < achievements && round < 50; round += 1) {
    for (const memberId of members) {
      if (n >= achievements) break;
      const offering = (catalogues.get(memberId) ?? [])[round];
      if (!offering) continue;
      const account = accounts.get(memberId) ?? { id: globalId(memberId, `acc-long-${id}`), memberId, homeMemberId: [...members].sort()[0] as string, studentNumber: `L${round}`, givenName: 'Long', familyName: 'Record', email: `long.record@${memberId}`, createdAt, enrolments: [] };
      accounts.set(memberId, account);
      const at = new Date(`${offering.startDate}T09:00:00Z`);
      const assessedOn = offering.endDate;
      account.enrolments.push({
        id: globalId(memberId, `enr-long-${id}-${round}`),
        opportunityId: offering.id,
        status: EnrolmentStatus.COMPLETED,
        enrolledAt: at,
        statusChangedAt: new Date(`${assessedOn}T12:00:00Z`),
        achievement: {
          id: globalId(memberId, `ach-long-${id}-${round}`),
          assessedOn,
          grade: grade(() => 0.5, schemeOf(memberId), true),
          gradingSchemeCode: schemeOf(memberId),
          passed: true,
          ectsAwarded: offering.creditBearing ? offering.ects : 0,
          supervision: offering.supervision,
          skills: offering.outcomes.map((outcome) => ({ skillUri: outcome.skillUri, level: outcome.expectedProficiency })),
        },
      });
      n += 1;
    }
  }
  return { id, createdAt, accounts: [...accounts.values()] };
}
