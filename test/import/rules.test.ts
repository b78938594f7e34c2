import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAY_APPROVE_MICRO_CREDENTIALS } from '../../subgraphs/issuance/accreditation.js';
import {
  AccreditationAuthority,
  AssessmentType,
  EnrolmentDeclineReason,
  EnrolmentStatus,
  LearningMode,
  LearningSetting,
  MicroCredentialType,
  OpportunityKind,
  ProficiencyLevel,
  Stackability,
} from '../../subgraphs/member/enums.js';
import { ACCOUNT_COLUMNS } from '../../subgraphs/member/import/accounts.js';
import { formulaRisk } from '../../subgraphs/member/import/cells.js';
import { ENROLMENT_COLUMNS } from '../../subgraphs/member/import/enrolments.js';
import { OFFERING_COLUMNS } from '../../subgraphs/member/import/offerings.js';
import { OUTCOME_COLUMNS } from '../../subgraphs/member/import/outcomes.js';
import { RESULT_COLUMNS } from '../../subgraphs/member/import/results.js';
import {
  checkAchievement,
  checkEnrolment,
  checkOffering,
  MAY_MARK_CREDIT_BEARING,
  workloadHoursRange,
  type AchievementFields,
  type OfferingFields,
} from '../../subgraphs/member/offering-rules.js';
import { TEMPLATES_DIR } from './helpers.js';

const TAMPERE = { id: 'tuni.fi', name: 'Tampere University', accreditationAuthority: AccreditationAuthority.FULL };
const TWENTE = { id: 'utwente.nl', name: 'University of Twente', accreditationAuthority: AccreditationAuthority.NONE };

const OFFERING: OfferingFields = {
  code: null, title: 'Urban data', description: null, kind: OpportunityKind.MICRO_MODULE, microCredentialType: MicroCredentialType.OUTSIDE_LEARNING_PATH,
  ects: 2, workloadHours: 54, eqfLevel: 6, iscedF: '0731', assessmentType: AssessmentType.PROJECT_WORK, mode: LearningMode.ONLINE,
  learningSetting: LearningSetting.FORMAL, qualityAssurance: 'Internal QA under FINEEC.', prerequisites: null, supervision: null,
  stackability: Stackability.STAND_ALONE, stackableTowards: null, sdgs: [11], languages: ['en'], startDate: '2026-03-16', endDate: '2026-04-24',
  enrolmentDeadline: '2026-03-02', capacity: null, creditBearing: true, moreInformationUrl: null,
  accreditationReference: null, accreditationBody: null, accreditationDecidedOn: null, accreditationValidUntil: null, accreditationUrl: null,
};
const fieldsOf = (errors: { field: string }[]) => errors.map((error) => error.field);

describe('offering rules', () => {
  it('let a member mark credit exactly where issuance will seal it as credit', () => {
    expect(MAY_MARK_CREDIT_BEARING).toEqual(MAY_APPROVE_MICRO_CREDENTIALS);
  });

  it('accept a complete offering', () => {
    expect(checkOffering(OFFERING, TAMPERE)).toEqual([]);
  });

  it('require an external accreditation record for credit from a member without the authority', () => {
    expect(fieldsOf(checkOffering(OFFERING, TWENTE))).toEqual(['creditBearing']);
    expect(checkOffering({ ...OFFERING, creditBearing: false }, TWENTE)).toEqual([]);
    expect(checkOffering({ ...OFFERING, accreditationReference: 'NVAO-1', accreditationBody: 'NVAO', accreditationDecidedOn: '2026-01-01' }, TWENTE)).toEqual([]);
  });

  it('refuse a partial accreditation record, which the graph would not show', () => {
    expect(checkOffering({ ...OFFERING, accreditationReference: 'NVAO-1' }, TAMPERE)).toEqual([
      { field: 'accreditationBody', reason: 'an external accreditation record needs accreditationReference, accreditationBody and accreditationDecidedOn together; missing: accreditationBody, accreditationDecidedOn' },
    ]);
    expect(fieldsOf(checkOffering({ ...OFFERING, accreditationReference: 'R', accreditationBody: 'B', accreditationDecidedOn: '2026-01-02', accreditationValidUntil: '2026-01-01' }, TAMPERE))).toEqual(['accreditationValidUntil']);
  });

  it('keep ECTS and hours within 25–30 hours per credit', () => {
    expect(workloadHoursRange(1.5)).toEqual({ min: 37, max: 45 });
    expect(checkOffering({ ...OFFERING, ects: 1.5, workloadHours: 41 }, TAMPERE)).toEqual([]);
    expect(fieldsOf(checkOffering({ ...OFFERING, workloadHours: 49 }, TAMPERE))).toEqual(['workloadHours']);
    expect(fieldsOf(checkOffering({ ...OFFERING, ects: 0 }, TAMPERE))).toEqual(['ects']);
    expect(fieldsOf(checkOffering({ ...OFFERING, ects: 1.234 }, TAMPERE))).toEqual(['ects']);
  });

  it('refuse values out of range and inconsistent options', () => {
    expect(fieldsOf(checkOffering({ ...OFFERING, eqfLevel: 0 }, TAMPERE))).toEqual(['eqfLevel']);
    expect(fieldsOf(checkOffering({ ...OFFERING, iscedF: '731' }, TAMPERE))).toEqual(['iscedF']);
    expect(fieldsOf(checkOffering({ ...OFFERING, sdgs: [18, 11, 11] }, TAMPERE))).toEqual(['sdgs', 'sdgs']);
    expect(fieldsOf(checkOffering({ ...OFFERING, languages: [] }, TAMPERE))).toEqual(['languages']);
    expect(fieldsOf(checkOffering({ ...OFFERING, capacity: 0 }, TAMPERE))).toEqual(['capacity']);
    expect(fieldsOf(checkOffering({ ...OFFERING, endDate: '2026-03-01', enrolmentDeadline: null }, TAMPERE))).toEqual(['endDate']);
    expect(fieldsOf(checkOffering({ ...OFFERING, learningSetting: LearningSetting.NON_FORMAL }, TAMPERE))).toEqual(['learningSetting']);
    expect(fieldsOf(checkOffering({ ...OFFERING, stackability: Stackability.STACKABLE }, TAMPERE))).toEqual(['stackableTowards']);
    expect(fieldsOf(checkOffering({ ...OFFERING, stackableTowards: 'A degree' }, TAMPERE))).toEqual(['stackableTowards']);
    expect(fieldsOf(checkOffering({ ...OFFERING, title: ' ', qualityAssurance: '' }, TAMPERE))).toEqual(['title', 'qualityAssurance']);
    expect(fieldsOf(checkOffering({ ...OFFERING, moreInformationUrl: 'javascript:alert(1)' }, TAMPERE))).toEqual(['moreInformationUrl']);
  });
});

describe('enrolment rules', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const base = { status: EnrolmentStatus.ENROLLED, enrolledAt: new Date('2026-11-01T10:00:00Z'), statusChangedAt: null, language: 'en', statusReason: null, statusNote: null };
  const offering = { languages: ['en', 'fi'] };

  it('want a reason for a decline, a note for OTHER, and no reason otherwise', () => {
    expect(checkEnrolment(base, offering, now)).toEqual([]);
    expect(fieldsOf(checkEnrolment({ ...base, status: EnrolmentStatus.NOT_ADMITTED }, offering, now))).toEqual(['statusReason']);
    expect(fieldsOf(checkEnrolment({ ...base, status: EnrolmentStatus.NOT_ADMITTED, statusReason: EnrolmentDeclineReason.OTHER }, offering, now))).toEqual(['statusNote']);
    expect(fieldsOf(checkEnrolment({ ...base, statusReason: EnrolmentDeclineReason.CAPACITY_REACHED }, offering, now))).toEqual(['statusReason']);
  });

  it('want a language of the offering and timestamps in order, not in the future', () => {
    expect(fieldsOf(checkEnrolment({ ...base, language: 'de' }, offering, now))).toEqual(['language']);
    expect(fieldsOf(checkEnrolment({ ...base, statusChangedAt: new Date('2026-10-01T00:00:00Z') }, offering, now))).toEqual(['statusChangedAt']);
    expect(fieldsOf(checkEnrolment({ ...base, enrolledAt: new Date('2027-01-01T00:00:00Z') }, offering, now))).toEqual(['enrolledAt']);
  });
});

describe('achievement rules', () => {
  const result: AchievementFields = { assessedOn: '2026-05-04', passed: true, grade: '4', gradingScheme: 'fi-0-5', ectsAwarded: null, supervision: null, skills: [] };
  const facts = { offering: { ects: 2, creditBearing: true }, enrolment: { status: EnrolmentStatus.COMPLETED, enrolledAt: new Date('2026-02-20T10:00:00Z') }, today: '2026-12-07' };
  const skill = { skillUri: 'http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0', level: ProficiencyLevel.ADVANCED };

  it('accept a pass with its skills', () => {
    expect(checkAchievement({ ...result, skills: [skill] }, facts)).toEqual([]);
  });

  it('want the grade to agree with passed, in a known scheme', () => {
    expect(checkAchievement({ ...result, passed: false }, facts)).toEqual([{ field: 'grade', reason: '"4" is a passing grade in fi-0-5, but passed is false' }]);
    expect(fieldsOf(checkAchievement({ ...result, gradingScheme: 'xx-1-9' }, facts))).toEqual(['gradingScheme']);
  });

  it('award ECTS only for a pass of a credit-bearing offering, skills only for a pass', () => {
    expect(fieldsOf(checkAchievement({ ...result, ectsAwarded: 1 }, { ...facts, offering: { ects: 2, creditBearing: false } }))).toEqual(['ectsAwarded']);
    expect(fieldsOf(checkAchievement({ ...result, passed: false, grade: '0', ectsAwarded: 2 }, facts))).toEqual(['ectsAwarded']);
    expect(fieldsOf(checkAchievement({ ...result, passed: false, grade: '0', skills: [skill] }, facts))).toEqual(['skills']);
    expect(fieldsOf(checkAchievement({ ...result, skills: [skill, skill] }, facts))).toEqual(['skills']);
  });

  it('want a real date, not in the future, not before the enrolment', () => {
    expect(fieldsOf(checkAchievement({ ...result, assessedOn: '2027-01-01' }, facts))).toEqual(['assessedOn']);
    expect(fieldsOf(checkAchievement({ ...result, assessedOn: '2026-01-01' }, facts))).toEqual(['assessedOn']);
    expect(fieldsOf(checkAchievement({ ...result, assessedOn: '2026-02-30' }, facts))).toEqual(['assessedOn']);
  });
});

describe('spreadsheet formulas', () => {
  it.each(['=1+1', '+A1', '-', '- a bullet point', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("https://evil.example")'])('refuses %j', (value) => {
    expect(formulaRisk(value)).toMatch(/CSV injection/);
  });
  it.each(['-3', '+1.5', '-0.25', 'a=b', 'name@example.org', ''])('lets %j through', (value) => {
    expect(formulaRisk(value)).toBeNull();
  });
});

describe('the documented templates', () => {
  const templates: [string, readonly { name: string; required: boolean }[]][] = [
    ['offerings.csv', OFFERING_COLUMNS],
    ['learning-outcomes.csv', OUTCOME_COLUMNS],
    ['learner-accounts.csv', ACCOUNT_COLUMNS],
    ['enrolments.csv', ENROLMENT_COLUMNS],
    ['results.csv', RESULT_COLUMNS],
  ];
  const readme = readFileSync(join(TEMPLATES_DIR, 'README.md'), 'utf8');

  it.each(templates)('%s has exactly the importer\'s columns, each in the field table', (file, columns) => {
    expect(readFileSync(join(TEMPLATES_DIR, file), 'utf8')).toBe(`${columns.map((column) => column.name).join(',')}\n`);
    const section = readme.slice(readme.indexOf(`## ${file}`), readme.indexOf('\n## ', readme.indexOf(`## ${file}`) + 1));
    for (const column of columns) expect(section).toMatch(new RegExp(`^\\| \`${column.name}\` \\| ${column.required ? 'yes' : 'no'}[^|]*\\|`, 'm'));
  });
});
