import { MAY_APPROVE_MICRO_CREDENTIALS } from '../../lib/accreditation.js';
import { isLearnerId, isMemberId } from '../../lib/ids.js';
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
  SupervisionVerification,
} from './enums.js';
import { GRADING_SCHEMES } from './grading.js';
import type { LearningOpportunity } from './model.js';

/*
 * The member's rules for what it publishes: an offering with the Annex I
 * elements of a micro-credential (Council Recommendation 2022/C 243/02), its
 * learning outcomes, enrolments and assessed results. Pure functions over
 * typed values, so that the file import (subgraphs/member/import/) and the
 * graph's curation mutations refuse the same things with the same words.
 * Each error names the field as the import templates and the graph name it.
 */

/** One rule a value breaks: the field (template and graph name) and why, in words for the member's staff. */
export interface FieldError {
  field: string;
  reason: string;
}

/** What the rules need to know of the awarding member (Annex I element 4). */
export interface AwardingMember {
  id: string;
  name: string;
  accreditationAuthority: AccreditationAuthority;
}

/** An offering's fields, as the templates and the graph name them (lists as arrays, dates as YYYY-MM-DD). */
export interface OfferingFields {
  code: string | null;
  title: string;
  description: string | null;
  kind: OpportunityKind;
  microCredentialType: MicroCredentialType;
  ects: number;
  workloadHours: number;
  eqfLevel: number;
  iscedF: string | null;
  assessmentType: AssessmentType;
  mode: LearningMode;
  learningSetting: LearningSetting;
  qualityAssurance: string;
  prerequisites: string | null;
  supervision: SupervisionVerification | null;
  stackability: Stackability;
  stackableTowards: string | null;
  sdgs: number[];
  languages: string[];
  startDate: string | null;
  endDate: string | null;
  enrolmentDeadline: string | null;
  capacity: number | null;
  creditBearing: boolean;
  moreInformationUrl: string | null;
  accreditationReference: string | null;
  accreditationBody: string | null;
  accreditationDecidedOn: string | null;
  accreditationValidUntil: string | null;
  accreditationUrl: string | null;
}

/** An offering as the member's database stores it: the columns behind `OfferingFields`, lists comma-separated. */
export type StoredOffering = Pick<LearningOpportunity, Exclude<keyof OfferingFields, 'sdgs' | 'languages'> | 'sdgList' | 'languageList'>;

/**
 * A stored offering (or one the sync is about to store) in the fields the
 * rules check and the curation compares (same keys, same order as the
 * curation's input, since the curation compares them as JSON).
 */
export function offeringFieldsOf(stored: StoredOffering): OfferingFields {
  return {
    code: stored.code ?? null,
    title: stored.title,
    description: stored.description ?? null,
    kind: stored.kind,
    microCredentialType: stored.microCredentialType,
    ects: stored.ects,
    workloadHours: stored.workloadHours,
    eqfLevel: stored.eqfLevel,
    iscedF: stored.iscedF ?? null,
    assessmentType: stored.assessmentType,
    mode: stored.mode,
    learningSetting: stored.learningSetting,
    qualityAssurance: stored.qualityAssurance,
    prerequisites: stored.prerequisites ?? null,
    supervision: stored.supervision ?? null,
    stackability: stored.stackability,
    stackableTowards: stored.stackableTowards ?? null,
    sdgs: stored.sdgList.split(',').filter(Boolean).map(Number),
    languages: stored.languageList.split(',').filter(Boolean),
    startDate: stored.startDate ?? null,
    endDate: stored.endDate ?? null,
    enrolmentDeadline: stored.enrolmentDeadline ?? null,
    capacity: stored.capacity ?? null,
    creditBearing: stored.creditBearing,
    moreInformationUrl: stored.moreInformationUrl ?? null,
    accreditationReference: stored.accreditationReference ?? null,
    accreditationBody: stored.accreditationBody ?? null,
    accreditationDecidedOn: stored.accreditationDecidedOn ?? null,
    accreditationValidUntil: stored.accreditationValidUntil ?? null,
    accreditationUrl: stored.accreditationUrl ?? null,
  };
}

/**
 * Which members may mark an offering credit-bearing on their own authority:
 * the table issuance seals credit by (lib/accreditation.ts), so what a member
 * may publish as credit-bearing is what the hub will later seal as credit.
 */
export const MAY_MARK_CREDIT_BEARING: Readonly<Record<AccreditationAuthority, boolean>> = MAY_APPROVE_MICRO_CREDENTIALS;

/** ECTS of one offering: above 0, at most a full academic year (60), in hundredths. */
export const ECTS_RANGE = { min: 0, max: 60 } as const;
/** DOMAIN.md: 60 ECTS = 1,500–1,800 hours, so 1 ECTS is 25–30 hours of notional workload. */
export const HOURS_PER_ECTS = { min: 25, max: 30 } as const;
export const EQF_LEVELS = { min: 1, max: 8 } as const;
export const MAX_OUTCOME_POSITION = 100;
/** Longest free texts, as the member's database stores them. */
const LENGTHS = { code: 64, title: 255, stackableTowards: 255, url: 512, accreditationReference: 128, accreditationBody: 255, text: 10_000, note: 500 } as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LANGUAGE = /^[a-z]{2}$/;
// ISCED-F 2013: broad fields 00–10, then optionally a narrow (3 digits) and detailed (4 digits) field.
const ISCED_F = /^(0\d|10)\d{0,2}$/;
/** An ESCO skill or knowledge concept, as the ESCO subgraph keys them. */
export const ESCO_SKILL_URI = /^http:\/\/data\.europa\.eu\/esco\/skill\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;
// Control characters other than line breaks reach other people's screens and logs; single-line fields allow none.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\n\u2028\u2029]/;

/** True for a real calendar date written YYYY-MM-DD (checked by arithmetic: it runs for every date of a large import). */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days;
}

/** The workload hours that agree with an ECTS value (25–30 hours per credit, rounded outwards). */
export function workloadHoursRange(ects: number): { min: number; max: number } {
  return { min: Math.floor(ects * HOURS_PER_ECTS.min), max: Math.ceil(ects * HOURS_PER_ECTS.max) };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

function oneOf<T extends string>(values: Record<string, T>, value: string): boolean {
  return (Object.values(values) as string[]).includes(value);
}

/** Collects errors; `check` adds one when the condition fails. */
class Errors {
  readonly list: FieldError[] = [];
  check(ok: boolean, field: string, reason: string): boolean {
    if (!ok) this.list.push({ field, reason });
    return ok;
  }
  has(field: string): boolean {
    return this.list.some((error) => error.field === field);
  }
}

/** A free text: non-blank when required, at most `max` characters, control characters refused. */
function text(errors: Errors, field: string, value: string | null, options: { required?: boolean; max: number; multiline?: boolean }): void {
  if (value === null || value.trim() === '') {
    errors.check(!options.required, field, 'is required');
    return;
  }
  errors.check(value.length <= options.max, field, `is ${value.length} characters long; at most ${options.max} are allowed`);
  errors.check(!CONTROL.test(value) && (options.multiline === true || !LINE_BREAK.test(value)), field, options.multiline ? 'contains control characters' : 'must be one line without control characters');
}

function enumeration<T extends string>(errors: Errors, field: string, values: Record<string, T>, value: string | null, required: boolean): void {
  if (value === null) {
    errors.check(!required, field, 'is required');
    return;
  }
  errors.check(oneOf(values, value), field, `"${value}" is not one of ${Object.values(values).join(', ')}`);
}

function date(errors: Errors, field: string, value: string | null): boolean {
  return value === null || errors.check(isIsoDate(value), field, `"${value}" is not a date written YYYY-MM-DD`);
}

/**
 * The rules an offering must keep: every mandatory Annex I element an
 * offering carries (title 2, workload 7, level 8, assessment 9, form of
 * participation 10, quality assurance 11; learning outcomes 6 are checked by
 * `checkLearningOutcome` and their presence by the caller), values in range,
 * ECTS and hours that agree, consistent optional elements, and the
 * accreditation rule: a member that may not approve micro-credentials on its
 * own (`MAY_MARK_CREDIT_BEARING`) marks an offering credit-bearing only with
 * an external accreditation record.
 */
export function checkOffering(fields: OfferingFields, member: AwardingMember): FieldError[] {
  const errors = new Errors();
  text(errors, 'code', fields.code, { max: LENGTHS.code });
  text(errors, 'title', fields.title, { required: true, max: LENGTHS.title });
  text(errors, 'description', fields.description, { max: LENGTHS.text, multiline: true });
  enumeration(errors, 'kind', OpportunityKind, fields.kind, true);
  enumeration(errors, 'microCredentialType', MicroCredentialType, fields.microCredentialType, true);
  enumeration(errors, 'assessmentType', AssessmentType, fields.assessmentType, true);
  enumeration(errors, 'mode', LearningMode, fields.mode, true);
  enumeration(errors, 'learningSetting', LearningSetting, fields.learningSetting, true);
  enumeration(errors, 'supervision', SupervisionVerification, fields.supervision, false);
  enumeration(errors, 'stackability', Stackability, fields.stackability, true);
  text(errors, 'qualityAssurance', fields.qualityAssurance, { required: true, max: LENGTHS.text, multiline: true });
  text(errors, 'prerequisites', fields.prerequisites, { max: LENGTHS.text, multiline: true });

  const ectsOk = errors.check(
    Number.isFinite(fields.ects) && fields.ects > ECTS_RANGE.min && fields.ects <= ECTS_RANGE.max && Math.abs(fields.ects * 100 - Math.round(fields.ects * 100)) < 1e-6,
    'ects',
    `${fields.ects} is outside the notional workload an offering can have: more than ${ECTS_RANGE.min} and at most ${ECTS_RANGE.max} ECTS credits, in hundredths at most`,
  );
  const hoursOk = errors.check(Number.isInteger(fields.workloadHours) && fields.workloadHours >= 1 && fields.workloadHours <= ECTS_RANGE.max * HOURS_PER_ECTS.max, 'workloadHours', `${fields.workloadHours} must be a whole number of hours from 1 to ${ECTS_RANGE.max * HOURS_PER_ECTS.max}`);
  if (ectsOk && hoursOk) {
    const range = workloadHoursRange(fields.ects);
    errors.check(
      fields.workloadHours >= range.min && fields.workloadHours <= range.max,
      'workloadHours',
      `${fields.workloadHours} hours do not match ${fields.ects} ECTS: one ECTS credit is 25–30 hours of notional workload, so ${range.min}–${range.max} hours`,
    );
  }
  errors.check(Number.isInteger(fields.eqfLevel) && fields.eqfLevel >= EQF_LEVELS.min && fields.eqfLevel <= EQF_LEVELS.max, 'eqfLevel', `${fields.eqfLevel} is not an EQF level (1 to 8)`);
  if (fields.iscedF !== null) {
    errors.check(ISCED_F.test(fields.iscedF), 'iscedF', `"${fields.iscedF}" is not an ISCED-F 2013 field code (2–4 digits starting 00–10, e.g. 0731; a spreadsheet may have dropped the leading zero)`);
  }

  // The alliance's micro-credential types 1 and 2 are formal learning, type 3 is not (DOMAIN.md).
  const formalType = fields.microCredentialType !== MicroCredentialType.NON_FORMAL;
  if (!errors.has('microCredentialType') && !errors.has('learningSetting')) {
    errors.check(
      formalType === (fields.learningSetting === LearningSetting.FORMAL),
      'learningSetting',
      formalType ? `must be FORMAL for micro-credential type ${fields.microCredentialType} (formal learning)` : 'must be NON_FORMAL for micro-credential type NON_FORMAL',
    );
  }
  if (fields.stackability === Stackability.STACKABLE) {
    errors.check(fields.stackableTowards !== null && fields.stackableTowards.trim() !== '', 'stackableTowards', 'is required when stackability is STACKABLE: name what it stacks towards');
  } else if (fields.stackableTowards !== null) {
    errors.check(false, 'stackableTowards', 'is only for STACKABLE offerings; this one is STAND_ALONE');
  }
  text(errors, 'stackableTowards', fields.stackableTowards, { max: LENGTHS.stackableTowards });

  for (const sdg of fields.sdgs) errors.check(Number.isInteger(sdg) && sdg >= 1 && sdg <= 17, 'sdgs', `${sdg} is not a UN Sustainable Development Goal (1 to 17)`);
  errors.check(new Set(fields.sdgs).size === fields.sdgs.length, 'sdgs', 'lists a goal twice');
  errors.check(fields.languages.length > 0, 'languages', 'needs at least one language of instruction');
  for (const language of fields.languages) errors.check(LANGUAGE.test(language), 'languages', `"${language}" is not a two-letter ISO 639-1 code in lower case, e.g. "en"`);
  errors.check(new Set(fields.languages).size === fields.languages.length, 'languages', 'lists a language twice');
  errors.check(fields.languages.join(',').length <= 64, 'languages', 'lists too many languages (at most 21)');

  const datesOk = [date(errors, 'startDate', fields.startDate), date(errors, 'endDate', fields.endDate), date(errors, 'enrolmentDeadline', fields.enrolmentDeadline)].every(Boolean);
  if (datesOk && fields.endDate !== null) {
    if (fields.startDate !== null) errors.check(fields.startDate <= fields.endDate, 'endDate', `${fields.endDate} is before the start date ${fields.startDate}`);
    if (fields.enrolmentDeadline !== null) errors.check(fields.enrolmentDeadline <= fields.endDate, 'enrolmentDeadline', `${fields.enrolmentDeadline} is after the end date ${fields.endDate}`);
  }
  if (fields.capacity !== null) errors.check(Number.isInteger(fields.capacity) && fields.capacity >= 1 && fields.capacity <= 100_000, 'capacity', `${fields.capacity} must be a whole number of places from 1 to 100000 (leave it empty for unlimited)`);
  if (fields.moreInformationUrl !== null) {
    errors.check(isHttpUrl(fields.moreInformationUrl) && fields.moreInformationUrl.length <= LENGTHS.url, 'moreInformationUrl', 'must be an http(s) address of at most 512 characters');
  }
  checkAccreditation(errors, fields, member);
  return errors.list;
}

function checkAccreditation(errors: Errors, fields: OfferingFields, member: AwardingMember): void {
  text(errors, 'accreditationReference', fields.accreditationReference, { max: LENGTHS.accreditationReference });
  text(errors, 'accreditationBody', fields.accreditationBody, { max: LENGTHS.accreditationBody });
  const core = [fields.accreditationReference, fields.accreditationBody, fields.accreditationDecidedOn];
  const given = core.filter((value) => value !== null).length;
  const anyOptional = fields.accreditationValidUntil !== null || fields.accreditationUrl !== null;
  // The graph shows a record only when reference, body and decision date are all there; a partial one would vanish silently.
  if ((given > 0 && given < 3) || (given === 0 && anyOptional)) {
    const missing = (['accreditationReference', 'accreditationBody', 'accreditationDecidedOn'] as const).filter((name) => fields[name] === null);
    errors.check(false, missing[0] as string, `an external accreditation record needs accreditationReference, accreditationBody and accreditationDecidedOn together; missing: ${missing.join(', ')}`);
  }
  const decidedOk = date(errors, 'accreditationDecidedOn', fields.accreditationDecidedOn);
  const untilOk = date(errors, 'accreditationValidUntil', fields.accreditationValidUntil);
  if (decidedOk && untilOk && fields.accreditationDecidedOn !== null && fields.accreditationValidUntil !== null) {
    errors.check(fields.accreditationValidUntil >= fields.accreditationDecidedOn, 'accreditationValidUntil', `${fields.accreditationValidUntil} is before the decision date ${fields.accreditationDecidedOn}`);
  }
  if (fields.accreditationUrl !== null) errors.check(isHttpUrl(fields.accreditationUrl) && fields.accreditationUrl.length <= LENGTHS.url, 'accreditationUrl', 'must be an http(s) address of at most 512 characters');
  if (fields.creditBearing && !MAY_MARK_CREDIT_BEARING[member.accreditationAuthority] && given < 3) {
    errors.check(
      false,
      'creditBearing',
      `${member.name} has accreditation authority ${member.accreditationAuthority}, so it may not mark an offering credit-bearing on its own: ` +
        'give the external accreditation record (accreditationReference, accreditationBody, accreditationDecidedOn) or set creditBearing to false',
    );
  }
}

export interface LearningOutcomeFields {
  position: number;
  description: string;
  skillUri: string;
  expectedProficiency: ProficiencyLevel;
}

/** A learning outcome (Annex I element 6): its place in the list, what it says, the ESCO skill and the expected proficiency. */
export function checkLearningOutcome(fields: LearningOutcomeFields): FieldError[] {
  const errors = new Errors();
  errors.check(Number.isInteger(fields.position) && fields.position >= 1 && fields.position <= MAX_OUTCOME_POSITION, 'position', `${fields.position} must be a whole number from 1 to ${MAX_OUTCOME_POSITION}`);
  text(errors, 'description', fields.description, { required: true, max: LENGTHS.text, multiline: true });
  errors.check(ESCO_SKILL_URI.test(fields.skillUri), 'skillUri', `"${fields.skillUri}" is not an ESCO skill URI (http://data.europa.eu/esco/skill/<uuid>)`);
  enumeration(errors, 'expectedProficiency', ProficiencyLevel, fields.expectedProficiency, true);
  return errors.list;
}

export interface LearnerAccountFields {
  givenName: string;
  familyName: string;
  email: string | null;
  studentNumber: string | null;
  allianceLearnerId: string | null;
  homeMemberId: string | null;
}

/** A learner account's own fields (names 1–128 characters, a plausible e-mail address, ids in the alliance's formats). */
export function checkLearnerAccount(fields: LearnerAccountFields): FieldError[] {
  const errors = new Errors();
  text(errors, 'givenName', fields.givenName, { required: true, max: 128 });
  text(errors, 'familyName', fields.familyName, { required: true, max: 128 });
  if (fields.email !== null) errors.check(fields.email.length <= 255 && EMAIL.test(fields.email), 'email', 'must be an e-mail address such as name@example.org');
  text(errors, 'studentNumber', fields.studentNumber, { max: 64 });
  if (fields.allianceLearnerId !== null) errors.check(isLearnerId(fields.allianceLearnerId), 'allianceLearnerId', `"${fields.allianceLearnerId}" is not an alliance learner id (3–64 letters, digits, ".", "_" or "-", e.g. eciu-4k7q2m9x8c1z)`);
  if (fields.homeMemberId !== null) errors.check(isMemberId(fields.homeMemberId), 'homeMemberId', `"${fields.homeMemberId}" is not a member id (a web domain such as tuni.fi)`);
  return errors.list;
}

export interface EnrolmentFields {
  status: EnrolmentStatus;
  enrolledAt: Date;
  /** When the status last changed; null when the caller lets it be derived. */
  statusChangedAt: Date | null;
  /** ISO 639-1 language of instruction the learner follows it in. */
  language: string | null;
  statusReason: EnrolmentDeclineReason | null;
  statusNote: string | null;
}

/**
 * An enrolment's rules: a decline has a reason (OTHER with a note), only a
 * decline has one, the language is one the offering is taught in, and the
 * timestamps are in order and not in the future.
 */
export function checkEnrolment(fields: EnrolmentFields, offering: { languages: readonly string[] }, now: Date): FieldError[] {
  const errors = new Errors();
  enumeration(errors, 'status', EnrolmentStatus, fields.status, true);
  errors.check(fields.enrolledAt.getTime() <= now.getTime(), 'enrolledAt', `${fields.enrolledAt.toISOString()} is in the future`);
  if (fields.statusChangedAt !== null) {
    errors.check(fields.statusChangedAt.getTime() >= fields.enrolledAt.getTime(), 'statusChangedAt', `${fields.statusChangedAt.toISOString()} is before enrolledAt ${fields.enrolledAt.toISOString()}`);
    errors.check(fields.statusChangedAt.getTime() <= now.getTime(), 'statusChangedAt', `${fields.statusChangedAt.toISOString()} is in the future`);
  }
  if (fields.language !== null) {
    errors.check(offering.languages.includes(fields.language), 'language', `"${fields.language}" is not a language the offering is taught in (${offering.languages.join(', ')})`);
  }
  if (fields.status === EnrolmentStatus.NOT_ADMITTED) {
    if (errors.check(fields.statusReason !== null, 'statusReason', 'is required for NOT_ADMITTED: why was the application declined?')) {
      enumeration(errors, 'statusReason', EnrolmentDeclineReason, fields.statusReason, true);
      if (fields.statusReason === EnrolmentDeclineReason.OTHER) errors.check(fields.statusNote !== null && fields.statusNote.trim() !== '', 'statusNote', 'is required when statusReason is OTHER: say why');
    }
  } else {
    errors.check(fields.statusReason === null, 'statusReason', `is only for NOT_ADMITTED; this enrolment is ${fields.status}`);
  }
  text(errors, 'statusNote', fields.statusNote, { max: LENGTHS.note });
  return errors.list;
}

export interface AcquiredSkillFields {
  skillUri: string;
  level: ProficiencyLevel;
}

export interface AchievementFields {
  assessedOn: string;
  passed: boolean;
  grade: string | null;
  gradingScheme: string;
  /** Null: derived by `ectsAwardedFor`. */
  ectsAwarded: number | null;
  supervision: SupervisionVerification | null;
  skills: AcquiredSkillFields[];
}

/** What an achievement's rules need to know of its offering and enrolment. */
export interface AchievementFacts {
  offering: { ects: number; creditBearing: boolean };
  /** The enrolment assessed, when the result names one. */
  enrolment: { status: EnrolmentStatus; enrolledAt: Date } | null;
  /** Today, YYYY-MM-DD (UTC). */
  today: string;
}

/** The ECTS a result awards when the file does not say: the offering's ECTS when passed and credit-bearing, else 0 (as the model defines it). */
export function ectsAwardedFor(passed: boolean, offering: { ects: number; creditBearing: boolean }): number {
  return passed && offering.creditBearing ? offering.ects : 0;
}

/**
 * An assessed result's rules: assessed on a real date, not in the future
 * and not before the enrolment; the grade belongs to the grading scheme and
 * agrees with passed; ECTS only for a pass of a credit-bearing offering and
 * never more than the offering's; skills only for a pass, each once.
 */
export function checkAchievement(fields: AchievementFields, facts: AchievementFacts): FieldError[] {
  const errors = new Errors();
  if (date(errors, 'assessedOn', fields.assessedOn)) {
    errors.check(fields.assessedOn <= facts.today, 'assessedOn', `${fields.assessedOn} is in the future`);
    if (facts.enrolment) {
      const enrolled = facts.enrolment.enrolledAt.toISOString().slice(0, 10);
      errors.check(fields.assessedOn >= enrolled, 'assessedOn', `${fields.assessedOn} is before the enrolment began (${enrolled})`);
    }
  }
  if (facts.enrolment) {
    errors.check(facts.enrolment.status === EnrolmentStatus.COMPLETED, 'enrolmentId', `the enrolment is ${facts.enrolment.status}; a result belongs to a COMPLETED enrolment`);
  }
  const scheme = GRADING_SCHEMES.find((candidate) => candidate.code === fields.gradingScheme);
  if (errors.check(scheme !== undefined, 'gradingScheme', `"${fields.gradingScheme}" is not a known grading scheme (${GRADING_SCHEMES.map((known) => known.code).join(', ')})`) && scheme && fields.grade !== null) {
    const passing = scheme.passing.includes(fields.grade);
    const failing = scheme.failing.includes(fields.grade);
    if (errors.check(passing || failing, 'grade', `"${fields.grade}" is not a grade of scheme ${scheme.code} (${[...scheme.passing, ...scheme.failing].join(', ')})`)) {
      errors.check(passing === fields.passed, 'grade', `"${fields.grade}" is a ${passing ? 'passing' : 'failing'} grade in ${scheme.code}, but passed is ${fields.passed}`);
    }
  }
  if (fields.ectsAwarded !== null) {
    const ects = fields.ectsAwarded;
    if (errors.check(Number.isFinite(ects) && ects >= 0 && ects <= facts.offering.ects, 'ectsAwarded', `${ects} must be from 0 to the offering's ${facts.offering.ects} ECTS`)) {
      if (!fields.passed) errors.check(ects === 0, 'ectsAwarded', 'must be 0 for a result that was not passed');
      else if (!facts.offering.creditBearing) errors.check(ects === 0, 'ectsAwarded', 'must be 0: the offering is not credit-bearing');
    }
  }
  enumeration(errors, 'supervision', SupervisionVerification, fields.supervision, false);
  errors.check(fields.passed || fields.skills.length === 0, 'skills', 'a result that was not passed shows no acquired skills');
  const seen = new Set<string>();
  for (const skill of fields.skills) {
    errors.check(ESCO_SKILL_URI.test(skill.skillUri), 'skills', `"${skill.skillUri}" is not an ESCO skill URI (http://data.europa.eu/esco/skill/<uuid>)`);
    enumeration(errors, 'skills', ProficiencyLevel, skill.level, true);
    errors.check(!seen.has(skill.skillUri), 'skills', `lists ${skill.skillUri} twice`);
    seen.add(skill.skillUri);
  }
  return errors.list;
}
