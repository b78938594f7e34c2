import { beforeAll, describe, expect, it } from 'vitest';
import { AssessmentType, EnrolmentStatus, LearningMode, LearningSetting, MicroCredentialType, OpportunityKind, ProficiencyLevel, Stackability } from '../../subgraphs/member/enums.js';
import { buildOeapiDataset, type OeapiDataset } from '../../subgraphs/member/oeapi/dataset.js';
import { createSynthesizer, type Synthesizer } from '../../subgraphs/member/oeapi/examples.js';
import { localDate, MappingNotes, pickText, workloadOf } from '../../subgraphs/member/oeapi/mapping-common.js';
import { mapAssociation, mapPerson } from '../../subgraphs/member/oeapi/mapping-learner.js';
import { mapCourseOffering, type OpportunityDefaults } from '../../subgraphs/member/oeapi/mapping-opportunity.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiCourseOfferingAssociation, OeapiLearningOutcome, OeapiPerson, OeapiResult } from '../../subgraphs/member/oeapi/types.js';
import { loadContext } from './helpers.js';

const MEMBER = 'utwente.nl';
const defaults: OpportunityDefaults = {
  kind: OpportunityKind.COURSE,
  microCredentialType: MicroCredentialType.OUTSIDE_LEARNING_PATH,
  assessmentType: AssessmentType.PROJECT_WORK,
  learningSetting: LearningSetting.FORMAL,
  qualityAssurance: 'NVAO institutional audit',
  stackability: Stackability.STAND_ALONE,
  stackableTowards: null,
  supervision: null,
  sdgList: '11',
};

let examples: Synthesizer;
let dataset: OeapiDataset;
/** The spec's own examples, untouched: Course, CourseOffering, LearningOutcome, Person, CourseOfferingAssociation, CourseOfferingAssociationResult. */
let course: OeapiCourse;
let offering: OeapiCourseOffering;
let person: OeapiPerson;
let association: OeapiCourseOfferingAssociation;
let result: OeapiResult;
let outcome: OeapiLearningOutcome;

beforeAll(() => {
  const context = loadContext();
  examples = createSynthesizer(context.spec, context.validator);
  course = examples.instanceOf('Course') as unknown as OeapiCourse;
  offering = examples.instanceOf('CourseOffering') as unknown as OeapiCourseOffering;
  person = examples.instanceOf('Person') as unknown as OeapiPerson;
  association = examples.instanceOf('CourseOfferingAssociation') as unknown as OeapiCourseOfferingAssociation;
  result = examples.instanceOf('CourseOfferingAssociationResult') as unknown as OeapiResult;
  outcome = examples.instanceOf('LearningOutcome') as unknown as OeapiLearningOutcome;
  dataset = buildOeapiDataset(context.spec, context.validator, { courses: 60, students: 80 });
});

const esco = (uuid: string): string => `http://data.europa.eu/esco/skill/${uuid}`;
const SKILL = '538f8bc6-a5bf-422b-8112-5ad3fe9de9a0';

describe('course + offering → LearningOpportunity, on the spec\'s own examples', () => {
  it('maps the spec\'s Course and CourseOffering examples', () => {
    const { record, warnings } = mapCourseOffering({ memberId: MEMBER, course, offering, defaults });
    expect(record).toMatchObject({
      id: `${MEMBER}:${offering.courseOfferingId}`,
      code: '1234qwe12',
      title: 'Academic and Professional Writing',
      ects: 3,
      workloadHours: 84,
      creditBearing: true,
      eqfLevel: 7,
      iscedF: '0732',
      mode: LearningMode.BLENDED,
      languageList: 'en',
      startDate: '2019-08-21',
      endDate: '2019-10-23',
      capacity: 200,
      prerequisites: 'Students need to be enrolled at qualifying institutions of higher education that participate in this alliance',
      kind: OpportunityKind.COURSE,
      sdgList: '11',
    });
    expect(record.description).toMatch(/^As with all empirical sciences/);
    expect(warnings.filter((warning) => warning.severity === 'error')).toEqual([]);
  });

  it('reports the spec\'s learning outcome example as unmapped: it names no ESCO skill', () => {
    const { record, unmapped, warnings } = mapCourseOffering({ memberId: MEMBER, course: { ...course, learningOutcomeIds: [outcome.learningOutcomeId] }, offering, defaults, learningOutcomes: new Map([[outcome.learningOutcomeId, outcome]]) });
    expect(record.learningOutcomes).toEqual([]);
    expect(unmapped).toContainEqual({ field: 'course.learningOutcomes[0]', value: expect.stringMatching(/^Describe the differing views/), reason: 'names no ESCO skill URI (primaryCode, otherCodes)' });
    expect(warnings.map((warning) => warning.code)).toContain('NO_LEARNING_OUTCOMES');
  });

  it('takes an outcome\'s ESCO URI from any of its codes, normalised, with its Bloom or SOLO level as the expected proficiency', () => {
    const withSkill = { ...outcome, otherCodes: [{ codeType: 'x-esco-skill', code: `https://data.europa.eu/esco/skill/${SKILL.toUpperCase()}` }], complexityLevel: 'bloom_4' };
    const withoutLevel = { ...outcome, learningOutcomeId: 'b', primaryCode: { codeType: 'identifier', code: esco(SKILL) }, complexityLevel: null };
    const { record, warnings } = mapCourseOffering({ memberId: MEMBER, course: { ...course, learningOutcomes: [withSkill, withoutLevel] }, defaults });
    expect(record.learningOutcomes).toEqual([
      { position: 1, description: expect.stringMatching(/^Describe/), skillUri: esco(SKILL), expectedProficiency: ProficiencyLevel.ADVANCED },
      { position: 2, description: expect.stringMatching(/^Describe/), skillUri: esco(SKILL), expectedProficiency: ProficiencyLevel.FOUNDATION },
    ]);
    expect(warnings.map((warning) => warning.code)).toContain('PROFICIENCY_DEFAULTED');
    expect(record.id).toBe(`${MEMBER}:${course.courseId}`);
  });
});

describe('studyLoad → ects and workloadHours', () => {
  const cases: [string, { studyLoadUnit: string; value: number }[], number | null, number | null, boolean, string[]][] = [
    ['ECTS (the spec example)', [{ studyLoadUnit: 'ects', value: 3 }], 3, 84, true, []],
    ['ECTS and study load hours', [{ studyLoadUnit: 'ects', value: 5 }, { studyLoadUnit: 'sbu', value: 140 }], 5, 140, true, []],
    ['a Dutch or Flemish study point is one ECTS credit', [{ studyLoadUnit: 'sp', value: 2 }], 2, 56, true, []],
    ['study load hours only', [{ studyLoadUnit: 'sbu', value: 84 }], 3, 84, false, ['ECTS_FROM_HOURS']],
    ['plain hours only', [{ studyLoadUnit: 'hour', value: 20 }], 0.7, 20, false, ['ECTS_FROM_HOURS']],
    ['contact time is not workload', [{ studyLoadUnit: 'contact_time', value: 20 }], null, null, false, ['NO_WORKLOAD']],
    ['an extension unit', [{ studyLoadUnit: 'x-days', value: 5 }], null, null, false, ['NO_WORKLOAD']],
    ['nothing', [], null, null, false, ['NO_WORKLOAD']],
  ];
  it.each(cases)('%s', (_, loads, ects, hours, creditBearing, warningCodes) => {
    const notes = new MappingNotes();
    expect(workloadOf(loads, 'course.studyLoad', notes)).toEqual({ ects, workloadHours: hours, creditBearing });
    expect(notes.warnings.map((warning) => warning.code)).toEqual(warningCodes);
  });
});

describe('level → EQF, modeOfDelivery → mode', () => {
  const levels: [string | null, number | null][] = [
    ['secondary_vocational_education_2', 2], ['associate_degree', 5], ['bachelor', 6], ['master', 7], ['doctoral', 8], ['post_doctoral', 8],
    ['secondary_vocational_education', null], ['pre_vocational', null], ['undivided', null], ['nt2_2', null], ['undefined', null], ['x-lifelong', null], [null, null],
  ];
  it.each(levels)('%s → EQF %s', (level, eqf) => {
    const { record, warnings } = mapCourseOffering({ memberId: MEMBER, course: { ...course, level }, defaults });
    expect(record.eqfLevel).toBe(eqf);
    expect(warnings.some((warning) => warning.code === 'NO_EQF_LEVEL' && warning.severity === 'error')).toBe(eqf === null);
  });

  it('falls back to the member\'s default EQF level, saying so', () => {
    const { record, warnings } = mapCourseOffering({ memberId: MEMBER, course: { ...course, level: 'undefined' }, defaults: { ...defaults, eqfLevel: 6 } });
    expect(record.eqfLevel).toBe(6);
    expect(warnings.map((warning) => warning.code)).toContain('EQF_FROM_DEFAULTS');
  });

  const modes: [string[], LearningMode | null][] = [
    [['online'], LearningMode.ONLINE], [['coil'], LearningMode.ONLINE], [['hybrid'], LearningMode.BLENDED], [['presential', 'online'], LearningMode.BLENDED],
    [['presential'], LearningMode.PRESENTIAL], [['work_based'], LearningMode.WORK_BASED], [['project_based'], null], [[], null],
  ];
  it.each(modes)('%j → %s', (modesOfDelivery, mode) => {
    expect(mapCourseOffering({ memberId: MEMBER, course: { ...course, modesOfDelivery }, defaults }).record.mode).toBe(mode);
  });

  it('lets the offering\'s modes and languages override the course\'s', () => {
    const { record } = mapCourseOffering({ memberId: MEMBER, course, offering: { ...offering, modesOfDelivery: ['online'], teachingLanguages: ['nld', 'en-GB'] }, defaults });
    expect(record.mode).toBe(LearningMode.ONLINE);
    expect(record.languageList).toBe('nl,en');
  });
});

describe('LanguageTypedString, dates and codes', () => {
  it('prefers English in any region, else the first text with a warning', () => {
    const notes = new MappingNotes();
    expect(pickText([{ language: 'nl-NL', value: 'Schrijven' }, { language: 'en-GB', value: 'Writing' }], 'name', notes)).toBe('Writing');
    expect(notes.warnings).toEqual([]);
    expect(pickText([{ language: 'nl-NL', value: 'Schrijven' }], 'name', notes)).toBe('Schrijven');
    expect(notes.warnings).toEqual([{ code: 'NO_PREFERRED_LANGUAGE', field: 'name', message: 'No "en" text; used the "nl-NL" one.', severity: 'warning' }]);
    expect(pickText([], 'name', notes)).toBeNull();
  });

  it('reads dates as written at the source, not shifted to UTC', () => {
    const notes = new MappingNotes();
    expect(localDate('2026-02-09T00:30:00+02:00', 'start', notes)).toBe('2026-02-09');
    expect(localDate('2026-02-09', 'start', notes)).toBe('2026-02-09');
    expect(localDate('next week', 'start', notes)).toBeNull();
    expect(notes.unmapped).toHaveLength(1);
  });

  it('uses the abbreviation as the code when the primary code is a machine id, and the latest enrolment period end as the deadline', () => {
    const next = dataset.courseOfferings[7]!;
    const generated = dataset.courses.find((candidate) => candidate.courseId === next.courseId)!;
    const { record } = mapCourseOffering({ memberId: MEMBER, course: generated, offering: next, defaults });
    expect(generated.primaryCode.codeType).toBe('uuid');
    expect(record.code).toBe(generated.abbreviation);
    expect(record.enrolmentDeadline).toBe('2026-01-25');
    expect(record.startDate).toBe('2026-02-12');
  });
});

describe('person → LearnerAccount', () => {
  it('maps the spec\'s Person example: the surname prefix joins the family name', () => {
    const { record, warnings } = mapPerson({ memberId: MEMBER, person });
    expect(record).toEqual({ id: `${MEMBER}:${person.personId}`, studentNumber: null, givenName: 'Martina', familyName: 'van Damme', email: 'vandamme.mcw@universiteitvanharderwijk.nl', europeanStudentIdentifier: null });
    expect(warnings).toEqual([]);
  });

  it('reads the student number and the European Student Identifier from the codes; warns for staff', () => {
    const student = dataset.persons[3]!;
    expect(mapPerson({ memberId: MEMBER, person: student }).record).toMatchObject({ studentNumber: 's1000003', europeanStudentIdentifier: expect.stringMatching(/^urn:schac:personalUniqueCode:int:esi:/) });
    const staff = dataset.persons[dataset.persons.length - 1]!;
    expect(mapPerson({ memberId: MEMBER, person: staff }).warnings.map((warning) => warning.code)).toEqual(['NOT_A_STUDENT']);
  });

  it('uses the preferred name when there is no given name', () => {
    const { record, warnings } = mapPerson({ memberId: MEMBER, person: { personId: 'p', primaryCode: { codeType: 'student_number', code: 's9' }, preferredName: 'Kim', activeEnrolment: true } });
    expect(record).toMatchObject({ givenName: 'Kim', familyName: '' });
    expect(warnings.map((warning) => warning.code)).toEqual(['GIVEN_NAME_FROM_PREFERRED', 'NO_FAMILY_NAME']);
  });
});

describe('association + result → Enrolment and Achievement', () => {
  it('maps the spec\'s association and result examples to a completed enrolment and a passed achievement', () => {
    const { record, warnings } = mapAssociation({ memberId: MEMBER, association: { ...association, result }, offering: { ...offering, resultValueType: 'grade_0_10' }, gradingSchemes: { grade_0_10: 'nl-1-10' } });
    expect(record.enrolment).toEqual({ id: `${MEMBER}:${association.associationId}`, accountId: `${MEMBER}:${association.personId}`, opportunityId: `${MEMBER}:${association.courseOfferingId}`, status: EnrolmentStatus.COMPLETED, statusSince: '2025-11-28', prerequisitesDeclared: false });
    expect(record.achievement).toMatchObject({ assessedOn: '2025-11-28', grade: '9', gradingSchemeCode: 'nl-1-10', passed: true, ectsAwarded: 3, enrolmentId: record.enrolment?.id });
    expect(warnings).toEqual([]);
  });

  const states: [string, EnrolmentStatus | null][] = [
    ['pending', EnrolmentStatus.APPLIED], ['queued', EnrolmentStatus.APPLIED], ['associated', EnrolmentStatus.ENROLLED], ['denied', EnrolmentStatus.NOT_ADMITTED],
    ['cancelled', EnrolmentStatus.WITHDRAWN], ['finished', EnrolmentStatus.COMPLETED], ['x-on-hold', null],
  ];
  it.each(states)('state %s → %s', (state, status) => {
    const { record, warnings } = mapAssociation({ memberId: MEMBER, association: { ...association, state, result: null } });
    expect(record.enrolment?.status).toBe(status);
    expect(record.achievement).toBeNull();
    expect(warnings.some((warning) => warning.severity === 'error')).toBe(status === null);
  });

  it('gives a failed result an achievement without credits, and pass/fail no grade', () => {
    const { record } = mapAssociation({ memberId: MEMBER, association: { ...association, result: { ...result, pass: 'failed', score: 'fail' } }, offering: { ...offering, resultValueType: 'pass_or_fail' } });
    expect(record.achievement).toMatchObject({ passed: false, ectsAwarded: 0, grade: null, gradingSchemeCode: 'pass-fail' });
  });

  it('makes no achievement of an unfinished, unknown or explicitly non-final result', () => {
    const cases: [Partial<OeapiResult>, string | null][] = [[{ state: 'in_progress' }, null], [{ pass: 'unknown' }, 'PASS_UNKNOWN'], [{ final: false }, 'RESULT_NOT_FINAL']];
    for (const [change, code] of cases) {
      const { record, warnings } = mapAssociation({ memberId: MEMBER, association: { ...association, state: 'associated', result: { ...result, ...change } } });
      expect(record.achievement).toBeNull();
      expect(record.enrolment?.status).toBe(EnrolmentStatus.ENROLLED);
      expect(warnings.map((warning) => warning.code)).toEqual(code ? [code] : []);
    }
  });

  it('records an unknown grading scale under an oeapi: code, and no enrolment for a lecturer', () => {
    const { record, warnings } = mapAssociation({ memberId: MEMBER, association: { ...association, result }, offering: { ...offering, resultValueType: 'uk_letter' } });
    expect(record.achievement?.gradingSchemeCode).toBe('oeapi:uk_letter');
    expect(warnings.map((warning) => warning.code)).toEqual(['GRADING_SCHEME_UNKNOWN']);
    expect(mapAssociation({ memberId: MEMBER, association: { ...association, role: 'lecturer' } }).record).toEqual({ enrolment: null, achievement: null });
  });
});

describe('the whole fixture dataset', () => {
  it('maps every record; errors only where the data is deliberately incomplete', () => {
    const outcomes = new Map(dataset.learningOutcomes.map((entry) => [entry.learningOutcomeId, entry]));
    const courses = new Map(dataset.courses.map((entry) => [entry.courseId, entry]));
    const offerings = new Map(dataset.courseOfferings.map((entry) => [entry.courseOfferingId, entry]));
    const errorCodes = new Set<string>();
    let mappedOutcomes = 0;
    for (const next of dataset.courseOfferings) {
      const { record, warnings } = mapCourseOffering({ memberId: MEMBER, course: courses.get(next.courseId as string)!, offering: next, defaults, learningOutcomes: outcomes });
      mappedOutcomes += record.learningOutcomes.length;
      for (const warning of warnings) if (warning.severity === 'error') errorCodes.add(warning.code);
    }
    for (const entry of dataset.persons) for (const warning of mapPerson({ memberId: MEMBER, person: entry }).warnings) if (warning.severity === 'error') errorCodes.add(warning.code);
    let achievements = 0;
    for (const entry of dataset.associations) {
      const next = offerings.get(entry.courseOfferingId as string)!;
      const { record, warnings } = mapAssociation({ memberId: MEMBER, association: entry, offering: next, course: courses.get(next.courseId as string)! });
      if (record.achievement) achievements += 1;
      for (const warning of warnings) if (warning.severity === 'error') errorCodes.add(warning.code);
    }
    // Generated on purpose: contact-time-only study loads, levels without an EQF level, modes that say nothing about presence.
    expect([...errorCodes].sort()).toEqual(['NO_EQF_LEVEL', 'NO_MODE', 'NO_WORKLOAD']);
    expect(mappedOutcomes).toBeGreaterThan(100);
    expect(achievements).toBeGreaterThan(20);
  });
});
