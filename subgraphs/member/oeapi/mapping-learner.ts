import { globalId } from '../../../lib/ids.js';
import { EnrolmentStatus } from '../enums.js';
import type { Achievement, Enrolment, LearnerAccount } from '../model.js';
import { localDate, MappingNotes, workloadOf, type Mapped } from './mapping-common.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiCourseOfferingAssociation, OeapiPerson } from './types.js';

/*
 * OEAPI person → LearnerAccount and course-offering association (+ result) →
 * Enrolment and Achievement, as pure functions. Only what the hub needs is
 * read from a person: dates of birth, nationality, gender, addresses, phone
 * numbers, emergency contacts, photos and national identity numbers are left
 * where they are (data minimisation), not even reported as unmapped.
 */

/** The LearnerAccount columns OEAPI can fill. allianceLearnerId, homeMemberId and createdAt are the sync's (learner register, first sight). */
export type LearnerAccountRecord = Pick<LearnerAccount, 'id' | 'studentNumber' | 'givenName' | 'familyName' | 'email'> & {
  /** The European Student Identifier, when the member's system holds one: the key to find the alliance learner by. */
  europeanStudentIdentifier: string | null;
};

export interface PersonMappingInput {
  memberId: string;
  person: OeapiPerson;
}

const STUDENT_NUMBER_TYPES = new Set(['student_number', 'studentNumber']);

/** Maps an OEAPI person to the member's learner account. */
export function mapPerson({ memberId, person }: PersonMappingInput): Mapped<LearnerAccountRecord> {
  const notes = new MappingNotes();
  if (person.affiliations && !person.affiliations.includes('student')) {
    notes.warn('NOT_A_STUDENT', 'person.affiliations', `Affiliated as ${person.affiliations.join(', ') || 'nothing'}, not as a student.`);
  }
  const codes = [person.primaryCode, ...(person.otherCodes ?? [])];
  const givenName = person.givenName ?? person.preferredName ?? null;
  if (!person.givenName && person.preferredName) notes.warn('GIVEN_NAME_FROM_PREFERRED', 'person.givenName', 'No given name: the preferred name is used.');
  // "van Dijk": the Dutch surname prefix belongs to the family name as the hub stores it.
  const familyName = person.surname ? [person.surnamePrefix, person.surname].filter((part) => part && part.trim()).join(' ') : null;
  if (!givenName) notes.warn('NO_GIVEN_NAME', 'person.givenName', 'No given or preferred name.');
  if (!familyName) notes.warn('NO_FAMILY_NAME', 'person.surname', 'No surname.');
  if (!givenName && !familyName) notes.error('NO_NAME', 'person', 'No name at all.');
  const record: LearnerAccountRecord = {
    id: globalId(memberId, person.personId),
    studentNumber: codes.find((entry) => entry && STUDENT_NUMBER_TYPES.has(entry.codeType))?.code ?? null,
    givenName: givenName ?? '',
    familyName: familyName ?? '',
    email: person.email ?? null,
    europeanStudentIdentifier: codes.find((entry) => entry?.codeType === 'esi')?.code ?? null,
  };
  return notes.result(record);
}

/** OEAPI associationState → the hub's EnrolmentStatus. */
export const STATUS_BY_ASSOCIATION_STATE: Readonly<Record<string, EnrolmentStatus>> = {
  pending: EnrolmentStatus.APPLIED,
  // A waiting list is an application not yet decided.
  queued: EnrolmentStatus.APPLIED,
  associated: EnrolmentStatus.ENROLLED,
  denied: EnrolmentStatus.NOT_ADMITTED,
  cancelled: EnrolmentStatus.WITHDRAWN,
  finished: EnrolmentStatus.COMPLETED,
};

/** OEAPI resultValueType → hub grading scheme codes (grading.ts). Only pass/fail is unambiguous; a member maps its national scales. */
export const DEFAULT_GRADING_SCHEMES: Readonly<Record<string, string>> = { pass_or_fail: 'pass-fail' };

export type EnrolmentRecord = Pick<Enrolment, 'id' | 'prerequisitesDeclared'> & {
  accountId: string;
  opportunityId: string;
  status: EnrolmentStatus | null;
  /** When the source says the current status began (the end of participation, the result date); null: the sync's time of first sight. */
  statusSince: string | null;
};

export type AchievementRecord = Pick<Achievement, 'id' | 'assessedOn' | 'grade' | 'gradingSchemeCode' | 'passed' | 'ectsAwarded' | 'supervision'> & {
  accountId: string;
  opportunityId: string;
  enrolmentId: string;
};

export interface AssociationMappingInput {
  memberId: string;
  association: OeapiCourseOfferingAssociation;
  /** The offering (for its resultValueType) when the association does not embed it. */
  offering?: OeapiCourseOffering;
  /** The course (for its study load when neither the result nor the association states one). */
  course?: OeapiCourse;
  /** resultValueType → hub grading scheme code, on top of DEFAULT_GRADING_SCHEMES. */
  gradingSchemes?: Readonly<Record<string, string>>;
  hoursPerEcts?: number;
}

/** Maps an association and its result: an enrolment (students only) and, for a final pass or fail, an achievement. */
export function mapAssociation(input: AssociationMappingInput): Mapped<{ enrolment: EnrolmentRecord | null; achievement: AchievementRecord | null }> {
  const { association, memberId } = input;
  const notes = new MappingNotes();
  if (association.role !== 'student') {
    notes.warn('NOT_A_STUDENT', 'association.role', `A ${association.role} association is not an enrolment.`);
    return notes.result({ enrolment: null, achievement: null });
  }
  const offering = association.courseOffering ?? input.offering;
  const offeringId = association.courseOfferingId ?? offering?.courseOfferingId;
  const personId = association.personId ?? association.person?.personId;
  if (!offeringId || !personId) {
    notes.error('NO_REFERENCE', offeringId ? 'association.personId' : 'association.courseOfferingId', 'The association names no course offering or no person.');
    return notes.result({ enrolment: null, achievement: null });
  }
  const ids = { accountId: globalId(memberId, personId), opportunityId: globalId(memberId, offeringId) };
  const enrolmentId = globalId(memberId, association.associationId);
  const achievement = achievementOf(input, offering, ids, enrolmentId, notes);

  let status: EnrolmentStatus | null = STATUS_BY_ASSOCIATION_STATE[association.state] ?? null;
  let statusSince = association.state === 'finished' || association.state === 'cancelled' ? localDate(association.actualEndDateTime, 'association.actualEndDateTime', notes) : null;
  if (status === null) {
    notes.skip('association.state', association.state, 'unknown association state');
    notes.error('NO_STATUS', 'association.state', `No enrolment status for state "${association.state}".`);
  }
  // A final result completes the enrolment even where the system has not moved the association to "finished" yet.
  if (achievement && status === EnrolmentStatus.ENROLLED) {
    status = EnrolmentStatus.COMPLETED;
    statusSince = achievement.assessedOn;
  }
  const enrolment: EnrolmentRecord = { id: enrolmentId, ...ids, status, statusSince, prerequisitesDeclared: false };
  return notes.result({ enrolment, achievement });
}

function achievementOf(input: AssociationMappingInput, offering: OeapiCourseOffering | undefined, ids: { accountId: string; opportunityId: string }, enrolmentId: string, notes: MappingNotes): AchievementRecord | null {
  const result = input.association.result;
  if (!result || result.state !== 'completed') return null;
  // The spec's "completed" is "finalised and recorded"; only an explicit final: false holds it back.
  if (result.final === false) {
    notes.warn('RESULT_NOT_FINAL', 'association.result.final', 'The result is completed but not final (exam committee): no achievement yet.');
    return null;
  }
  if (result.pass !== 'passed' && result.pass !== 'failed') {
    notes.skip('association.result.pass', result.pass ?? null, 'neither passed nor failed');
    notes.warn('PASS_UNKNOWN', 'association.result.pass', 'A completed result that is neither passed nor failed: no achievement.');
    return null;
  }
  const assessedOn = localDate(result.resultDateTime, 'association.result.resultDateTime', notes);
  if (!assessedOn) {
    notes.error('NO_RESULT_DATE', 'association.result.resultDateTime', 'A result without a date.');
    return null;
  }
  const passed = result.pass === 'passed';
  const valueType = offering?.resultValueType ?? undefined;
  const scheme = valueType ? ({ ...DEFAULT_GRADING_SCHEMES, ...input.gradingSchemes } as Record<string, string>)[valueType] : undefined;
  if (!scheme) notes.warn('GRADING_SCHEME_UNKNOWN', 'offering.resultValueType', `No hub grading scheme for "${valueType ?? 'none'}"; recorded as "oeapi:${valueType ?? 'unknown'}".`);
  // pass-fail carries no grade: the hub's scheme reads `passed`.
  const grade = scheme === 'pass-fail' ? null : (result.score ?? null);
  const loads = [result.studyLoad ?? input.association.studyLoad ?? null].filter((load): load is NonNullable<typeof load> => load !== null);
  // A missing study load costs the learner the credits, not the achievement: its errors count as warnings here.
  const loadNotes = new MappingNotes();
  const workload = workloadOf(loads.length ? loads : input.course?.studyLoad, loads.length ? 'association.result.studyLoad' : 'course.studyLoad', loadNotes, input.hoursPerEcts);
  for (const warning of loadNotes.warnings) notes.warn(warning.code, warning.field, warning.message);
  notes.unmapped.push(...loadNotes.unmapped);
  return {
    id: enrolmentId,
    ...ids,
    enrolmentId,
    assessedOn,
    grade,
    gradingSchemeCode: scheme ?? `oeapi:${valueType ?? 'unknown'}`,
    passed,
    ectsAwarded: passed && workload.creditBearing ? (workload.ects ?? 0) : 0,
    supervision: null,
  };
}
