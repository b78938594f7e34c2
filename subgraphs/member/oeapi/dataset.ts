import { createHash } from 'node:crypto';
import { createSynthesizer, deterministicUuid, type ExampleDiscrepancy } from './examples.js';
import type { JsonObject, OeapiSpec } from './spec.js';
import type {
  OeapiCourse,
  OeapiCourseOffering,
  OeapiCourseOfferingAssociation,
  OeapiLanguageTypedString,
  OeapiLearningOutcome,
  OeapiPerson,
  OeapiResult,
  OeapiStudyLoad,
} from './types.js';
import type { OeapiValidator } from './validator.js';

/*
 * A deterministic OEAPI dataset for the fixture server: record 0 of each kind
 * is the spec's own example (built by examples.ts, ids made unique), the rest
 * are generated variations that exercise every mapping rule: study load in
 * each unit, each level, each mode of delivery, titles without English,
 * outcomes with and without an ESCO URI, passed, failed, unfinished and
 * withdrawn associations. The same options always give the same records.
 */

export interface OeapiDatasetOptions {
  /** The member whose system this pretends to be (its domain); default "utwente.nl". */
  memberId?: string;
  /** Number of courses, each with a past and an upcoming offering; default 200. */
  courses?: number;
  /** Number of students; default 300 (plus a few staff). */
  students?: number;
  /** Varies everything generated; default "oeapi-fixture". */
  seed?: string;
  /** The fixture's "today" (offerings lists default to offerings starting from it); default 2025-10-01. */
  referenceDate?: string;
}

export interface OeapiDataset {
  memberId: string;
  referenceDate: string;
  service: JsonObject;
  organisation: JsonObject;
  academicSessions: JsonObject[];
  courses: OeapiCourse[];
  courseOfferings: OeapiCourseOffering[];
  learningOutcomes: OeapiLearningOutcome[];
  persons: OeapiPerson[];
  associations: OeapiCourseOfferingAssociation[];
  /** The spec's examples that did not validate and were replaced (see examples.ts). */
  discrepancies: readonly ExampleDiscrepancy[];
}

/** ESCO skills the generated outcomes name (DOMAIN.md, SDG 11). */
const ESCO_SKILLS = [
  ['7dd94ad3-13d6-43fe-8b94-51fcbf67ced9', 'Think critically about urban problems'],
  ['60c78287-22eb-4103-9c8c-28deaa460da0', 'Work in interdisciplinary teams'],
  ['c624c6a3-b0ba-4a31-a296-0d433fe47e41', 'Think creatively about city design'],
  ['adc6dc11-3376-467b-96c5-9b0a21edc869', 'Solve problems with stakeholders'],
  ['538f8bc6-a5bf-422b-8112-5ad3fe9de9a0', 'Assess urban sustainability'],
  ['1f632076-fd9b-4b18-a9a2-b59a59181d3e', 'Apply urban planning law'],
  ['dda745dd-b8d6-45d8-8c74-e05495ce90f5', 'Relate work to the sustainable development goals'],
  ['469e19ed-a0bd-445a-ae2d-4ba9430e296b', 'Promote sustainability'],
  ['3edfa33c-c644-4a9a-acd1-e82039daa663', 'Promote the use of sustainable transport'],
  ['5368a46a-54b5-4874-a06f-964d557c1cfb', 'Design green space strategies'],
  ['22c45bf7-e52b-475f-847b-c32a87f65a5d', 'Apply circular economy principles'],
] as const;

const TOPICS = ['Sustainable Urban Mobility', 'Circular Construction', 'Smart City Data', 'Urban Climate Adaptation', 'Energy Communities', 'Participatory Design', 'Green Infrastructure', 'Water in the City'];
const TOPICS_NL = ['Duurzame stedelijke mobiliteit', 'Circulair bouwen', 'Data voor de slimme stad', 'Klimaatadaptatie in de stad'];
const GIVEN = ['Anna', 'Jonas', 'Sofia', 'Mikko', 'Laura', 'Pedro', 'Ingrid', 'Luca', 'Aoife', 'Tomas', 'Marta', 'Lars'];
const FAMILY = [['', 'Virtanen'], ['van', 'Dijk'], ['', 'Jensen'], ['de', 'Vries'], ['', 'Kazlauskas'], ['', 'Rossi'], ['', 'Murphy'], ['', 'Santos'], ['', 'Hansen'], ['van der', 'Berg']] as const;

const LEVELS = ['bachelor', 'master', 'master', 'bachelor', 'associate_degree', 'doctoral', 'undefined', 'post_doctoral', 'x-eciu-lifelong-learning'];
const MODES = [['online'], ['blended'], ['presential'], ['hybrid'], ['online', 'presential'], ['coil'], ['work_based'], ['project_based']];
const LANGUAGES = [['en-GB'], ['en'], ['en-GB', 'nl-NL'], ['fin'], ['eng']];
const FIELDS = ['0731', '0732', '0521', '073101', '07', '0413'];
const ECTS = [1, 1.5, 2, 3, 5, 6];
const COMPLEXITY = ['bloom_1', 'bloom_3', 'bloom_4', 'bloom_6', 'solo_2', 'solo_4', null];
const RESULT_TYPES = ['grade_0_10_one_decimal', 'pass_or_fail', 'grade_0_10', 'uk_letter'];

/** mulberry32: a small seeded PRNG, so variations are reproducible without a dependency. */
function prng(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(list: readonly T[], index: number): T => list[index % list.length] as T;
const text = (language: string, value: string): OeapiLanguageTypedString => ({ language, value });
const addDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * 86_400_000).toISOString().replace('.000Z', 'Z');

function studyLoadFor(index: number): OeapiStudyLoad[] | null {
  const ects = pick(ECTS, index);
  switch (index % 10) {
    case 5:
      return [{ studyLoadUnit: 'ects', value: ects }, { studyLoadUnit: 'sbu', value: ects * 28 }];
    case 6:
      return [{ studyLoadUnit: 'sp', value: ects }];
    case 7:
      return [{ studyLoadUnit: 'hour', value: 56 }];
    case 9:
      return index % 20 === 9 ? [{ studyLoadUnit: 'contact_time', value: 20 }] : [{ studyLoadUnit: 'sbu', value: 84 }];
    default:
      return index % 50 === 48 ? null : [{ studyLoadUnit: 'ects', value: ects }];
  }
}

function scoreFor(resultValueType: string, passed: boolean, random: () => number): string {
  switch (resultValueType) {
    case 'pass_or_fail':
      return passed ? 'pass' : 'fail';
    case 'grade_0_10':
      return String(passed ? 6 + Math.floor(random() * 5) : 2 + Math.floor(random() * 4));
    case 'uk_letter':
      return passed ? pick(['A', 'B', 'C', 'D', 'E'], Math.floor(random() * 5)) : 'U';
    default:
      return (passed ? 5.5 + random() * 4.5 : 1 + random() * 4.4).toFixed(1);
  }
}

/** Builds the dataset; `spec` and `validator` supply the examples record 0 of each kind starts from. */
export function buildOeapiDataset(spec: OeapiSpec, validator: OeapiValidator, options: OeapiDatasetOptions = {}): OeapiDataset {
  const memberId = options.memberId ?? 'utwente.nl';
  const seed = options.seed ?? 'oeapi-fixture';
  const referenceDate = options.referenceDate ?? '2025-10-01';
  const courseCount = options.courses ?? 200;
  const studentCount = options.students ?? 300;
  const random = prng(seed);
  const id = (kind: string, index: number | string): string => deterministicUuid(`${seed}:${kind}:${index}`);
  const synthesizer = createSynthesizer(spec, validator);
  // Every record says when it last changed (in `ext`, the spec's place for non-standard
  // attributes): one minute apart, all before the reference date.
  let clock = Date.parse('2025-06-01T00:00:00Z');
  const stamp = (): { modifiedAt: string } => ({ modifiedAt: new Date((clock += 60_000)).toISOString() });

  const organisation: JsonObject = {
    ...synthesizer.instanceOf('Organisation'),
    organisationId: id('organisation', 0),
    primaryCode: { codeType: 'schac_home', code: memberId },
    organisationType: 'root',
    name: [text('en-GB', `University (${memberId})`)],
    rootId: id('organisation', 0),
    ext: stamp(),
  };
  delete organisation['parentId'];
  delete organisation['childIds'];
  const sessions = [
    ['2024-2025', 'academic_year', '2024-09-01T00:00:00+02:00', '2025-08-31T23:59:59+02:00'],
    ['2025-2026 S1', 'semester', '2025-09-01T00:00:00+02:00', '2026-01-31T23:59:59+01:00'],
    ['2025-2026 S2', 'semester', '2026-02-01T00:00:00+01:00', '2026-07-15T23:59:59+02:00'],
  ] as const;
  const sessionExample = synthesizer.instanceOf('AcademicSession');
  const academicSessions: JsonObject[] = sessions.map(([code, type, start, end], index) => {
    const session: JsonObject = { ...sessionExample, academicSessionId: id('session', index), academicSessionType: type, primaryCode: { codeType: 'identifier', code }, name: [text('en-GB', code)], abbreviation: code, startDateTime: start, endDateTime: end, ext: stamp() };
    for (const link of ['parentId', 'childIds', 'yearId']) delete session[link];
    return session;
  });
  const [pastSession, , nextSession] = academicSessions as [JsonObject, JsonObject, JsonObject];

  const learningOutcomes: OeapiLearningOutcome[] = [];
  const courses: OeapiCourse[] = [];
  const courseOfferings: OeapiCourseOffering[] = [];
  const courseExample = synthesizer.instanceOf('Course') as unknown as OeapiCourse;
  const offeringExample = synthesizer.instanceOf('CourseOffering') as unknown as OeapiCourseOffering;
  const outcomeExample = synthesizer.instanceOf('LearningOutcome') as unknown as OeapiLearningOutcome;

  for (let index = 0; index < courseCount; index += 1) {
    const courseId = id('course', index);
    const topic = pick(TOPICS, index);
    const code = `UT-${String(1000 + index)}`;
    const outcomeIds: string[] = [];
    for (let position = 0; position < 2 + (index % 2); position += 1) {
      const outcomeId = id('outcome', `${index}.${position}`);
      outcomeIds.push(outcomeId);
      if (index === 0 && position === 0) {
        // The spec's own outcome: free text, no ESCO skill named, so it lands in `unmapped`.
        learningOutcomes.push({ ...outcomeExample, learningOutcomeId: outcomeId, parentIds: null, childIds: null, ext: stamp() });
        continue;
      }
      const [skill, label] = pick(ESCO_SKILLS, index + position);
      const variant = (index + position) % 4;
      const otherCodes = variant === 3 ? null : [{ codeType: variant === 1 ? 'identifier' : 'x-esco-skill', code: `${variant === 2 ? 'https' : 'http'}://data.europa.eu/esco/skill/${skill}` }];
      learningOutcomes.push({
        learningOutcomeId: outcomeId,
        primaryCode: { codeType: 'identifier', code: `LO ${index}.${position + 1}` },
        name: [text('en-GB', `${label} (${topic})`)],
        otherCodes,
        complexityLevel: pick(COMPLEXITY, index + position),
        ext: stamp(),
      });
    }
    const englishName = `${topic} ${index + 1}`;
    const dutchOnly = index % 13 === 12;
    const name = dutchOnly ? [text('nl-NL', `${pick(TOPICS_NL, index)} ${index + 1}`)] : index % 5 === 2 ? [text('nl-NL', `${pick(TOPICS_NL, index)} ${index + 1}`), text('en-GB', englishName)] : [text('en-GB', englishName)];
    const generated: OeapiCourse = {
      courseId,
      primaryCode: index % 7 === 3 ? { codeType: 'uuid', code: courseId } : { codeType: 'identifier', code },
      name,
      abbreviation: code,
      description: [text(dutchOnly ? 'nl-NL' : 'en-GB', `${dutchOnly ? 'Een vak over' : 'A course on'} ${topic.toLowerCase()}.`)],
      studyLoad: studyLoadFor(index),
      modesOfDelivery: pick(MODES, index),
      teachingLanguages: pick(LANGUAGES, index),
      fieldsOfStudy: pick(FIELDS, index),
      learningOutcomeIds: outcomeIds,
      level: pick(LEVELS, index),
      assessment: [text('en-GB', index % 2 === 0 ? 'Project report and presentation' : 'Written exam on campus')],
      admissionRequirements: [text('en-GB', 'A bachelor degree in engineering or the built environment')],
      link: `https://www.${memberId}/courses/${code}`,
      organisationId: organisation['organisationId'] as string,
      ext: stamp(),
    };
    const course: OeapiCourse = index === 0 ? { ...courseExample, courseId, learningOutcomeIds: outcomeIds, organisationId: organisation['organisationId'] as string, ext: stamp() } : generated;
    if (index === 0) for (const link of ['programmeIds', 'coordinatorIds', 'instructorIds']) delete course[link];
    courses.push(course);

    const courseName = course.name;
    const past: OeapiCourseOffering = {
      courseOfferingId: id('offering', `${index}.past`),
      primaryCode: { codeType: 'offering_code', code: `${code}-2425` },
      name: courseName,
      state: 'inactive',
      academicSessionId: pastSession['academicSessionId'] as string,
      startDateTime: addDays('2024-11-04T09:00:00+01:00', index % 14),
      endDateTime: addDays('2025-01-24T17:00:00+01:00', index % 14),
      resultExpected: true,
      resultValueType: pick(RESULT_TYPES, index),
      maxNumberStudents: index % 3 === 0 ? null : 30 + (index % 4) * 10,
      courseId,
      organisationId: organisation['organisationId'] as string,
      ext: stamp(),
    };
    courseOfferings.push(
      index === 0
        ? { ...offeringExample, courseOfferingId: past.courseOfferingId, academicSessionId: past.academicSessionId, startDateTime: past.startDateTime, endDateTime: past.endDateTime, courseId, organisationId: past.organisationId, resultValueType: 'grade_0_10', groupIds: null, programmeOfferingIds: null, ext: stamp() }
        : past,
    );
    courseOfferings.push({
      courseOfferingId: id('offering', `${index}.next`),
      primaryCode: { codeType: 'offering_code', code: `${code}-2526` },
      name: courseName,
      state: index % 37 === 5 ? 'cancelled' : 'active',
      academicSessionId: nextSession['academicSessionId'] as string,
      startDateTime: addDays('2026-02-09T09:00:00+01:00', index % 14),
      endDateTime: addDays('2026-04-24T17:00:00+02:00', index % 14),
      ...(index % 4 === 1 ? { modesOfDelivery: ['online'] } : {}),
      resultExpected: true,
      resultValueType: pick(RESULT_TYPES, index),
      maxNumberStudents: index % 3 === 0 ? null : 30,
      enrolmentPeriods: [
        { startDateTime: '2025-10-15T09:00:00+02:00', endDateTime: '2026-01-11T23:59:59+01:00', targetGroups: ['exchange students'] },
        { startDateTime: '2025-11-01T09:00:00+01:00', endDateTime: '2026-01-25T23:59:59+01:00', targetGroups: ['regular students'] },
      ],
      courseId,
      organisationId: organisation['organisationId'] as string,
      ext: stamp(),
    });
  }

  const personExample = synthesizer.instanceOf('Person') as unknown as OeapiPerson;
  const persons: OeapiPerson[] = [];
  const staffCount = 5;
  for (let index = 0; index < studentCount + staffCount; index += 1) {
    const personId = id('person', index);
    const staff = index >= studentCount;
    const number = `s${1_000_000 + index}`;
    if (index === 0) {
      persons.push({ ...personExample, personId, primaryCode: { codeType: 'student_number', code: number }, activeEnrolment: true, ext: stamp() });
      continue;
    }
    const given = pick(GIVEN, index);
    const [prefix, family] = pick(FAMILY, index * 7 + 3);
    const preferredOnly = index % 41 === 7;
    persons.push({
      personId,
      primaryCode: staff ? { codeType: 'username', code: `staff${index}` } : { codeType: 'student_number', code: number },
      ...(preferredOnly ? { preferredName: given } : { givenName: given, surname: family, ...(prefix ? { surnamePrefix: prefix } : {}) }),
      displayName: [given, prefix, family].filter(Boolean).join(' '),
      activeEnrolment: !staff && index % 9 !== 0,
      affiliations: [staff ? 'employee' : 'student'],
      email: `${given.toLowerCase()}.${family.toLowerCase()}${index}@${staff ? '' : 'student.'}${memberId}`,
      ...(index % 3 === 0 && !staff ? { otherCodes: [{ codeType: 'esi', code: `urn:schac:personalUniqueCode:int:esi:${memberId}:${number}` }] } : {}),
      ext: stamp(),
    });
  }

  const resultExample = synthesizer.instanceOf('CourseOfferingAssociationResult') as unknown as OeapiResult;
  const associationExample = synthesizer.instanceOf('CourseOfferingAssociation') as unknown as OeapiCourseOfferingAssociation;
  const associations: OeapiCourseOfferingAssociation[] = [];
  const taken = new Set<string>();
  const associate = (personIndex: number, courseIndex: number, past: boolean): void => {
    const offering = courseOfferings[courseIndex * 2 + (past ? 0 : 1)] as OeapiCourseOffering;
    const person = persons[personIndex] as OeapiPerson;
    const key = `${person.personId}|${offering.courseOfferingId}`;
    if (taken.has(key)) return;
    taken.add(key);
    const associationId = id('association', associations.length);
    const base = { associationId, role: 'student', courseOfferingId: offering.courseOfferingId, personId: person.personId };
    if (associations.length === 0) {
      // The spec's own association and result, on the spec's own course (course 0, past offering).
      associations.push({ ...associationExample, ...base, state: 'finished', result: { ...resultExample, assessorId: persons[studentCount]?.personId ?? resultExample['assessorId'] } as OeapiResult, ext: stamp() });
      return;
    }
    const roll = random();
    if (!past) {
      const state = roll < 0.5 ? 'associated' : roll < 0.75 ? 'pending' : roll < 0.9 ? 'queued' : 'denied';
      associations.push({ ...base, state, startDateTime: offering.startDateTime ?? null, result: null, ext: stamp() });
      return;
    }
    if (roll < 0.08) {
      associations.push({ ...base, state: 'cancelled', startDateTime: offering.startDateTime ?? null, actualEndDateTime: addDays(offering.startDateTime as string, 20), result: null, ext: stamp() });
      return;
    }
    const course = courses[courseIndex] as OeapiCourse;
    const load = course.studyLoad?.[0] ?? { studyLoadUnit: 'ects', value: 0 };
    const passed = roll > 0.25;
    const unfinished = roll > 0.08 && roll < 0.13;
    const result: OeapiResult = {
      state: unfinished ? 'in_progress' : 'completed',
      pass: unfinished ? 'unknown' : passed ? 'passed' : 'failed',
      ...(unfinished ? {} : { score: scoreFor(offering.resultValueType ?? 'grade_0_10', passed, random) }),
      final: !unfinished,
      resultDateTime: addDays(offering.endDateTime as string, 14),
      studyLoad: load,
    };
    associations.push({ ...base, state: unfinished ? 'associated' : 'finished', startDateTime: offering.startDateTime ?? null, actualEndDateTime: unfinished ? null : (offering.endDateTime ?? null), result, ext: stamp() });
  };
  associate(0, 0, true);
  for (let personIndex = 1; personIndex < studentCount; personIndex += 1) {
    const count = 1 + Math.floor(random() * 3);
    for (let n = 0; n < count; n += 1) associate(personIndex, Math.floor(random() * courseCount), random() < 0.6);
  }
  // Staff teach: lecturer associations, which are not enrolments.
  for (let n = 0; n < staffCount; n += 1) {
    const offering = courseOfferings[(n * 2) % courseOfferings.length] as OeapiCourseOffering;
    associations.push({ associationId: id('association', associations.length), role: 'lecturer', state: 'associated', courseOfferingId: offering.courseOfferingId, personId: (persons[studentCount + n] as OeapiPerson).personId, result: null, ext: stamp() });
  }

  const service: JsonObject = { ...synthesizer.instanceOf('Service'), contactEmail: `oeapi@${memberId}`, ext: stamp() };
  return { memberId, referenceDate, service, organisation, academicSessions, courses, courseOfferings, learningOutcomes, persons, associations, discrepancies: synthesizer.discrepancies };
}
