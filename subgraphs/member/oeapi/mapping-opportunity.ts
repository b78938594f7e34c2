import { globalId } from '../../../lib/ids.js';
import { LearningMode, ProficiencyLevel } from '../enums.js';
import type { LearningOpportunity } from '../model.js';
import { escoSkillUris, languageCodes, localDate, MappingNotes, pickText, workloadOf, DEFAULT_HOURS_PER_ECTS, type Mapped } from './mapping-common.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiLearningOutcome } from './types.js';

/*
 * OEAPI course (+ offering) → the member's LearningOpportunity fields, as a
 * pure function. One LearningOpportunity per course offering: enrolments and
 * results point at offerings, and dates, capacity and the enrolment deadline
 * live there; the course supplies what all its offerings share. README.md has
 * the field table.
 */

/** Annex I elements with no OEAPI field: the member configures them once for its sync, and they are copied to every record. */
export type CarriedDefaults = Pick<
  LearningOpportunity,
  'kind' | 'microCredentialType' | 'assessmentType' | 'learningSetting' | 'qualityAssurance' | 'stackability' | 'stackableTowards' | 'supervision' | 'sdgList'
>;

export type OpportunityDefaults = CarriedDefaults & {
  /** Used when the course has no level the EQF mapping knows (default: none, the record then has an error). */
  eqfLevel?: number;
  /** Used when no mode of delivery maps (default: none, the record then has an error). */
  mode?: LearningMode;
  /** Hours per ECTS credit where one is derived from the other; default 28 (the spec's own figure). */
  hoursPerEcts?: number;
  /** Language preferred among a LanguageTypedString array's texts; default "en". */
  language?: string;
};

export interface OpportunityOutcome {
  /** From 1, in the course's order. */
  position: number;
  description: string;
  skillUri: string;
  expectedProficiency: ProficiencyLevel;
}

/** The LearningOpportunity columns the sync writes; `null` where a required one could not be filled (the warnings say why). */
export type OpportunityRecord = Pick<
  LearningOpportunity,
  'id' | 'code' | 'description' | 'iscedF' | 'prerequisites' | 'languageList' | 'startDate' | 'endDate' | 'enrolmentDeadline' | 'capacity' | 'creditBearing' | 'moreInformationUrl'
> &
  CarriedDefaults & {
    title: string | null;
    ects: number | null;
    workloadHours: number | null;
    eqfLevel: number | null;
    mode: LearningMode | null;
    learningOutcomes: OpportunityOutcome[];
  };

export interface CourseMappingInput {
  memberId: string;
  course: OeapiCourse;
  /** Absent: the course itself becomes the opportunity (id from the course). */
  offering?: OeapiCourseOffering;
  /** Outcomes by id, for courses that list learningOutcomeIds rather than expanded learningOutcomes. */
  learningOutcomes?: ReadonlyMap<string, OeapiLearningOutcome>;
  defaults: OpportunityDefaults;
}

/**
 * OEAPI `level` → EQF. The spec ties associate_degree…doctoral and the
 * secondary vocational levels 1–4 to levelOfQualification 1–8 (which is the
 * NLQF, referenced one to one to the EQF). Levels with no single EQF level
 * (pre_vocational, secondary_vocational_education without a number,
 * undivided, the NT2 language programmes, undefined) are not guessed.
 */
export const EQF_BY_OEAPI_LEVEL: Readonly<Record<string, number>> = {
  secondary_vocational_education_1: 1,
  secondary_vocational_education_2: 2,
  secondary_vocational_education_3: 3,
  secondary_vocational_education_4: 4,
  associate_degree: 5,
  bachelor: 6,
  master: 7,
  doctoral: 8,
  // EQF stops at 8: post-doctoral learning is placed at the top level.
  post_doctoral: 8,
};

/** OEAPI modeOfDelivery (EU learning-assessment vocabulary based) → the hub's LearningMode; null: says nothing about presence. */
export const MODE_BY_OEAPI_MODE: Readonly<Record<string, LearningMode | null>> = {
  online: LearningMode.ONLINE,
  coil: LearningMode.ONLINE,
  blended: LearningMode.BLENDED,
  hybrid: LearningMode.BLENDED,
  presential: LearningMode.PRESENTIAL,
  research_lab_based: LearningMode.PRESENTIAL,
  work_based: LearningMode.WORK_BASED,
  project_based: null,
  joint_delivery: null,
};

/** Bloom and SOLO levels (the spec's learningOutcomeLevel) → the hub's four proficiency bands. */
export const PROFICIENCY_BY_COMPLEXITY: Readonly<Record<string, ProficiencyLevel>> = {
  bloom_1: ProficiencyLevel.FOUNDATION,
  bloom_2: ProficiencyLevel.FOUNDATION,
  bloom_3: ProficiencyLevel.INTERMEDIATE,
  bloom_4: ProficiencyLevel.ADVANCED,
  bloom_5: ProficiencyLevel.ADVANCED,
  bloom_6: ProficiencyLevel.HIGHLY_SPECIALISED,
  solo_0: ProficiencyLevel.FOUNDATION,
  solo_1: ProficiencyLevel.FOUNDATION,
  solo_2: ProficiencyLevel.INTERMEDIATE,
  solo_3: ProficiencyLevel.ADVANCED,
  solo_4: ProficiencyLevel.HIGHLY_SPECIALISED,
};

/** Code types that are not human-readable course codes. */
const MACHINE_CODE_TYPES = new Set(['uuid', 'system_id']);

function eqfLevelOf(level: string | null | undefined, notes: MappingNotes, fallback: number | undefined): number | null {
  const mapped = level ? EQF_BY_OEAPI_LEVEL[level] : undefined;
  if (mapped !== undefined) {
    if (level === 'post_doctoral') notes.warn('EQF_CAPPED', 'course.level', 'post_doctoral placed at EQF 8, the highest level.');
    return mapped;
  }
  if (level) notes.skip('course.level', level, 'no single EQF level corresponds to it');
  if (fallback !== undefined) {
    notes.warn('EQF_FROM_DEFAULTS', 'course.level', `EQF level ${fallback} taken from the member's defaults.`);
    return fallback;
  }
  notes.error('NO_EQF_LEVEL', 'course.level', 'No EQF level (Annex I element 8).');
  return null;
}

function modeOf(modes: readonly string[] | null | undefined, field: string, notes: MappingNotes, fallback: LearningMode | undefined): LearningMode | null {
  const mapped = new Set<LearningMode>();
  (modes ?? []).forEach((mode, index) => {
    const value = MODE_BY_OEAPI_MODE[mode];
    if (value) mapped.add(value);
    else notes.skip(`${field}[${index}]`, mode, value === null ? 'says nothing about online or on-site participation' : 'unknown mode of delivery');
  });
  // Online plus on-site parts are blended learning, whatever the order they are listed in.
  if (mapped.has(LearningMode.BLENDED) || (mapped.has(LearningMode.ONLINE) && mapped.has(LearningMode.PRESENTIAL))) return LearningMode.BLENDED;
  const [first] = mapped;
  if (first) {
    if (mapped.size > 1) notes.warn('SEVERAL_MODES', field, `Several modes of delivery; used the first, ${first}.`);
    return first;
  }
  if (fallback) {
    notes.warn('MODE_FROM_DEFAULTS', field, `Mode ${fallback} taken from the member's defaults.`);
    return fallback;
  }
  notes.error('NO_MODE', field, 'No mode of delivery that maps (Annex I element 10).');
  return null;
}

function iscedOf(fields: string | null | undefined, notes: MappingNotes): string | null {
  if (!fields) return null;
  if (!/^\d{2,6}$/.test(fields)) {
    notes.skip('course.fieldsOfStudy', fields, 'not an ISCED-F code');
    return null;
  }
  // ISCED-F 2013 has 2–4 digits; the 5th and 6th are a national extension (ISCEDF2013vSOI2021).
  if (fields.length > 4) notes.warn('ISCED_TRUNCATED', 'course.fieldsOfStudy', `"${fields}" cut to its ISCED-F 2013 detailed field "${fields.slice(0, 4)}".`);
  return fields.slice(0, 4);
}

function codeOf(course: OeapiCourse, notes: MappingNotes): string | null {
  if (course.primaryCode && !MACHINE_CODE_TYPES.has(course.primaryCode.codeType)) return course.primaryCode.code;
  if (course.abbreviation) return course.abbreviation;
  const other = (course.otherCodes ?? []).find((entry) => !MACHINE_CODE_TYPES.has(entry.codeType));
  if (other) return other.code;
  notes.warn('NO_COURSE_CODE', 'course.primaryCode', 'No human-readable course code.');
  return null;
}

function outcomesOf(input: CourseMappingInput, notes: MappingNotes, language: string): OpportunityOutcome[] {
  const { course } = input;
  const listed: (OeapiLearningOutcome | string)[] = course.learningOutcomes ?? course.learningOutcomeIds ?? [];
  const outcomes: OpportunityOutcome[] = [];
  listed.forEach((entry, index) => {
    const field = `course.learningOutcomes[${index}]`;
    const outcome = typeof entry === 'string' ? input.learningOutcomes?.get(entry) : entry;
    if (!outcome) {
      notes.skip(field, entry, 'learning outcome not found among those given');
      return;
    }
    const description = pickText(outcome.name, `${field}.name`, notes, language) ?? pickText(outcome.description, `${field}.description`, notes, language);
    const [skillUri, ...more] = escoSkillUris([outcome.primaryCode, ...(outcome.otherCodes ?? [])]);
    if (!skillUri) {
      notes.skip(field, description ?? outcome.learningOutcomeId, 'names no ESCO skill URI (primaryCode, otherCodes)');
      return;
    }
    for (const extra of more) notes.skip(`${field}.otherCodes`, extra, 'a hub learning outcome links one ESCO skill; the first was used');
    const level = outcome.complexityLevel ? PROFICIENCY_BY_COMPLEXITY[outcome.complexityLevel] : undefined;
    if (!level) {
      if (outcome.complexityLevel) notes.skip(`${field}.complexityLevel`, outcome.complexityLevel, 'not a Bloom or SOLO level');
      // FOUNDATION: a credential should rather understate a level than claim one nobody stated.
      notes.warn('PROFICIENCY_DEFAULTED', `${field}.complexityLevel`, 'No Bloom or SOLO level: expected proficiency set to FOUNDATION.');
    }
    outcomes.push({ position: outcomes.length + 1, description: description ?? skillUri, skillUri, expectedProficiency: level ?? ProficiencyLevel.FOUNDATION });
  });
  if (outcomes.length === 0) notes.warn('NO_LEARNING_OUTCOMES', 'course.learningOutcomes', 'No learning outcome linked to an ESCO skill (Annex I element 6).');
  return outcomes;
}

function deadlineOf(offering: OeapiCourseOffering | undefined, notes: MappingNotes): string | null {
  // Of several enrolment periods (one per target group), the latest closing one: the offering takes applications until then.
  const ends = (offering?.enrolmentPeriods ?? []).map((period) => period.endDateTime).filter((end): end is string => typeof end === 'string');
  const latest = ends.sort((a, b) => Date.parse(b) - Date.parse(a))[0];
  return localDate(latest, 'offering.enrolmentPeriods.endDateTime', notes);
}

/** Maps a course and (usually) one of its offerings to a LearningOpportunity record. */
export function mapCourseOffering(input: CourseMappingInput): Mapped<OpportunityRecord> {
  const { course, offering, defaults, memberId } = input;
  const notes = new MappingNotes();
  const language = defaults.language ?? 'en';
  const title = pickText(course.name, 'course.name', notes, language) ?? pickText(offering?.name, 'offering.name', notes, language);
  if (!title) notes.error('NO_TITLE', 'course.name', 'No title (Annex I element 2).');
  const workload = workloadOf(course.studyLoad, 'course.studyLoad', notes, defaults.hoursPerEcts ?? DEFAULT_HOURS_PER_ECTS);
  const languages = languageCodes(offering?.teachingLanguages ?? course.teachingLanguages, offering?.teachingLanguages ? 'offering.teachingLanguages' : 'course.teachingLanguages', notes);
  if (languages.length === 0) notes.warn('NO_LANGUAGE', 'course.teachingLanguages', 'No teaching language that maps; the hub assumes English.');
  const modes = offering?.modesOfDelivery?.length ? offering.modesOfDelivery : course.modesOfDelivery;
  if (offering?.state === 'cancelled') notes.warn('OFFERING_CANCELLED', 'offering.state', 'The offering is cancelled: it should not be open for applications.');
  else if (offering?.state && offering.state !== 'active') notes.warn('OFFERING_NOT_ACTIVE', 'offering.state', `The offering is ${offering.state}.`);
  for (const text of course.assessment ?? []) notes.skip('course.assessment', text.value, "free text; assessmentType comes from the member's defaults");
  const { eqfLevel: eqfFallback, mode: modeFallback, hoursPerEcts: _hours, language: _language, ...carried } = defaults;
  const record: OpportunityRecord = {
    ...carried,
    id: globalId(memberId, offering?.courseOfferingId ?? course.courseId),
    code: codeOf(course, notes),
    title,
    description: pickText(course.description, 'course.description', notes, language) ?? pickText(offering?.description, 'offering.description', notes, language),
    ects: workload.ects,
    workloadHours: workload.workloadHours,
    creditBearing: workload.creditBearing,
    eqfLevel: eqfLevelOf(course.level, notes, eqfFallback),
    iscedF: iscedOf(course.fieldsOfStudy, notes),
    mode: modeOf(modes, offering?.modesOfDelivery?.length ? 'offering.modesOfDelivery' : 'course.modesOfDelivery', notes, modeFallback),
    prerequisites: pickText(course.admissionRequirements, 'course.admissionRequirements', notes, language),
    languageList: (languages.length ? languages : ['en']).join(','),
    startDate: localDate(offering?.startDateTime, 'offering.startDateTime', notes),
    endDate: localDate(offering?.endDateTime, 'offering.endDateTime', notes),
    enrolmentDeadline: deadlineOf(offering, notes),
    capacity: typeof offering?.maxNumberStudents === 'number' ? offering.maxNumberStudents : null,
    moreInformationUrl: offering?.link ?? course.link ?? null,
    learningOutcomes: outcomesOf(input, notes, language),
  };
  return notes.result(record);
}
