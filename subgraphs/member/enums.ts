// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';

/** The alliance's survey of its members' authority to accredit (DOMAIN.md). */
export enum AccreditationAuthority {
  FULL = 'FULL',
  SEMI_PROGRAMMES = 'SEMI_PROGRAMMES',
  SEMI_PREQUALIFIED = 'SEMI_PREQUALIFIED',
  MICRO_CREDENTIALS_ONLY = 'MICRO_CREDENTIALS_ONLY',
  NONE = 'NONE',
  NOT_ASSESSED = 'NOT_ASSESSED',
}

export enum OpportunityKind {
  MICRO_MODULE = 'MICRO_MODULE',
  CHALLENGE = 'CHALLENGE',
  COURSE = 'COURSE',
}

/** The alliance's three types of micro-credential. */
export enum MicroCredentialType {
  WITHIN_LEARNING_PATH = 'WITHIN_LEARNING_PATH',
  OUTSIDE_LEARNING_PATH = 'OUTSIDE_LEARNING_PATH',
  NON_FORMAL = 'NON_FORMAL',
}

/** Proficiency bands used for expected and achieved skill levels (the EU competence frameworks' four bands). */
export enum ProficiencyLevel {
  FOUNDATION = 'FOUNDATION',
  INTERMEDIATE = 'INTERMEDIATE',
  ADVANCED = 'ADVANCED',
  HIGHLY_SPECIALISED = 'HIGHLY_SPECIALISED',
}

export enum AssessmentType {
  WRITTEN_EXAM = 'WRITTEN_EXAM',
  ORAL_EXAM = 'ORAL_EXAM',
  PORTFOLIO = 'PORTFOLIO',
  PROJECT_WORK = 'PROJECT_WORK',
  PRACTICAL = 'PRACTICAL',
  PEER_ASSESSMENT = 'PEER_ASSESSMENT',
}

export enum LearningMode {
  ONLINE = 'ONLINE',
  BLENDED = 'BLENDED',
  PRESENTIAL = 'PRESENTIAL',
  WORK_BASED = 'WORK_BASED',
}

export enum LearningSetting {
  FORMAL = 'FORMAL',
  NON_FORMAL = 'NON_FORMAL',
}

export enum SupervisionVerification {
  UNSUPERVISED_NO_ID_CHECK = 'UNSUPERVISED_NO_ID_CHECK',
  SUPERVISED_NO_ID_CHECK = 'SUPERVISED_NO_ID_CHECK',
  SUPERVISED_WITH_ID_CHECK = 'SUPERVISED_WITH_ID_CHECK',
}

export enum Stackability {
  STAND_ALONE = 'STAND_ALONE',
  STACKABLE = 'STACKABLE',
}

export enum EnrolmentStatus {
  APPLIED = 'APPLIED',
  ENROLLED = 'ENROLLED',
  COMPLETED = 'COMPLETED',
  WITHDRAWN = 'WITHDRAWN',
  NOT_ADMITTED = 'NOT_ADMITTED',
}

/** What the member's staff decide on an application. */
export enum EnrolmentDecision {
  ADMIT = 'ADMIT',
  DECLINE = 'DECLINE',
}

/** Why an application was declined (a fixed list, so that members and analysts can count them). */
export enum EnrolmentDeclineReason {
  PREREQUISITES_NOT_MET = 'PREREQUISITES_NOT_MET',
  LANGUAGE_REQUIREMENTS_NOT_MET = 'LANGUAGE_REQUIREMENTS_NOT_MET',
  CAPACITY_REACHED = 'CAPACITY_REACHED',
  DEADLINE_PASSED = 'DEADLINE_PASSED',
  OFFERING_CANCELLED = 'OFFERING_CANCELLED',
  OTHER = 'OTHER',
}

/** QF-EHEA cycle, where the EQF level corresponds to one (Annex I element 8: "cycle if applicable"). */
export enum QfEheaCycle {
  SHORT_CYCLE = 'SHORT_CYCLE',
  FIRST_CYCLE = 'FIRST_CYCLE',
  SECOND_CYCLE = 'SECOND_CYCLE',
  THIRD_CYCLE = 'THIRD_CYCLE',
}

/** The QF-EHEA cycle of an EQF level (5 short, 6 first, 7 second, 8 third), or null below 5. */
export function cycleOfEqfLevel(level: number): QfEheaCycle | null {
  return ([null, null, null, null, null, QfEheaCycle.SHORT_CYCLE, QfEheaCycle.FIRST_CYCLE, QfEheaCycle.SECOND_CYCLE, QfEheaCycle.THIRD_CYCLE] as const)[level] ?? null;
}

export enum OfferingOrder {
  RELEVANCE = 'RELEVANCE',
  TITLE = 'TITLE',
  START_DATE = 'START_DATE',
}

/**
 * Registers every enum with type-graphql. Called by the schema builder rather
 * than at import time, so importing the enums has no side effects.
 */
export function registerMemberEnums(): void {
  registerEnumType(AccreditationAuthority, {
    name: 'AccreditationAuthority',
    description: "A member's authority to accredit, from the alliance's survey of its members.",
    valuesConfig: {
      FULL: { description: 'Full or almost full authority to accredit; no or few changes required (FI, NO, IE).' },
      SEMI_PROGRAMMES: {
        description:
          'Semi-authority to approve programmes not leading to a professional qualification; authority over micro-credentials unclear (SE).',
      },
      SEMI_PREQUALIFIED: { description: 'Semi-authority over programmes and micro-credentials after prequalification by an external body (DK).' },
      MICRO_CREDENTIALS_ONLY: { description: 'No authority over programmes, but micro-credentials/modules can be approved by the institution (ES, PT, LT).' },
      NONE: {
        description:
          'No authority to accredit programmes or micro-credentials (DE, NL, IT, FR): a credit-bearing micro-credential needs an external accreditation record.',
      },
      NOT_ASSESSED: { description: 'Not assessed (outside the European Higher Education Area survey).' },
    },
  });
  registerEnumType(OpportunityKind, {
    name: 'OpportunityKind',
    valuesConfig: {
      MICRO_MODULE: { description: 'A short, formally assessed module (typically 1–3 ECTS).' },
      CHALLENGE: { description: 'Challenge-based learning: a team solves a real problem set by a city, company or NGO.' },
      COURSE: { description: 'A regular course open to alliance learners.' },
    },
  });
  registerEnumType(MicroCredentialType, {
    name: 'MicroCredentialType',
    description: "The alliance's three types of micro-credential.",
    valuesConfig: {
      WITHIN_LEARNING_PATH: { description: 'Formal learning within a regular learning path (stackable towards a degree).' },
      OUTSIDE_LEARNING_PATH: { description: 'Formal learning outside a regular learning path (stackable towards a larger micro-credential).' },
      NON_FORMAL: { description: 'Non-formal or informal learning (work-related, short courses; may need a reflective portfolio).' },
    },
  });
  registerEnumType(ProficiencyLevel, {
    name: 'ProficiencyLevel',
    description: 'Proficiency band of a skill, as in the EU competence frameworks (DigComp, EntreComp, GreenComp).',
  });
  registerEnumType(AssessmentType, { name: 'AssessmentType', description: 'Type of assessment (Annex I element 9).' });
  registerEnumType(LearningMode, {
    name: 'LearningMode',
    description: 'Form of participation in the learning activity (Annex I element 10; ELM `mode`).',
  });
  registerEnumType(LearningSetting, { name: 'LearningSetting', description: 'Formal or non-formal learning (ELM `learningSetting`).' });
  registerEnumType(SupervisionVerification, {
    name: 'SupervisionVerification',
    description: 'Supervision and identity verification during assessment (Annex I, optional).',
  });
  registerEnumType(Stackability, { name: 'Stackability', description: 'Integration/stackability options (Annex I, optional).' });
  registerEnumType(EnrolmentStatus, {
    name: 'EnrolmentStatus',
    valuesConfig: {
      APPLIED: { description: "Applied; waiting for the member's staff to admit or decline." },
      ENROLLED: { description: 'Admitted: the learner holds a place.' },
      COMPLETED: { description: 'Finished; the assessed result is the achievement.' },
      WITHDRAWN: { description: 'Cancelled by the learner (or by staff at their request) before completing.' },
      NOT_ADMITTED: { description: "Declined by the member's staff, with a reason." },
    },
  });
  registerEnumType(EnrolmentDecision, { name: 'EnrolmentDecision', description: "The member's staff's decision on an application." });
  registerEnumType(EnrolmentDeclineReason, {
    name: 'EnrolmentDeclineReason',
    description: 'Why an application was declined.',
    valuesConfig: {
      PREREQUISITES_NOT_MET: { description: "The learner does not meet the offering's prerequisites." },
      LANGUAGE_REQUIREMENTS_NOT_MET: { description: 'The learner does not meet the language requirements.' },
      CAPACITY_REACHED: { description: 'No place is left.' },
      DEADLINE_PASSED: { description: 'The application came after the enrolment deadline.' },
      OFFERING_CANCELLED: { description: 'The offering will not run.' },
      OTHER: { description: 'Another reason, given in the note (required then).' },
    },
  });
  registerEnumType(QfEheaCycle, { name: 'QfEheaCycle', description: 'Cycle of the Qualifications Framework of the European Higher Education Area.' });
  registerEnumType(OfferingOrder, {
    name: 'OfferingOrder',
    description: 'Order of an offerings list. Without `orderBy`, RELEVANCE is used when a text filter is given and TITLE otherwise.',
    valuesConfig: {
      RELEVANCE: { description: 'Title starts with the text, then title contains it, then description or outcomes do; ties by title, then id.' },
      TITLE: { description: 'By title (accent- and case-insensitive), then id.' },
      START_DATE: { description: 'By start date, offerings without a date last; ties by id.' },
    },
  });
}
