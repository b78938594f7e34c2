// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';

/** Why a learner shares records; shown to the learner and to whoever receives them. */
export enum ConsentPurpose {
  RECOGNITION = 'RECOGNITION',
  ADMISSION = 'ADMISSION',
  MOBILITY = 'MOBILITY',
  EMPLOYMENT = 'EMPLOYMENT',
  OTHER = 'OTHER',
}

/** What a grant shares (the same values as lib/auth.ts RECORD_SCOPES, which the members check). */
export enum ConsentScope {
  ACHIEVEMENTS = 'ACHIEVEMENTS',
  ENROLMENTS = 'ENROLMENTS',
}

export enum GranteeKind {
  MEMBER = 'MEMBER',
  VERIFIER = 'VERIFIER',
}

export enum ConsentGrantStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}

/** Registers the enums with type-graphql (called when the schema is built: no import-time side effects). */
export function registerLearnersEnums(): void {
  registerEnumType(ConsentPurpose, {
    name: 'ConsentPurpose',
    description: 'Why a learner shares records.',
    valuesConfig: {
      RECOGNITION: { description: 'Recognition of learning (e.g. credits) by the receiving member.' },
      ADMISSION: { description: 'Admission to a programme or learning opportunity.' },
      MOBILITY: { description: 'A mobility or exchange arrangement.' },
      EMPLOYMENT: { description: 'Recruitment or employment (typically a named verifier).' },
      OTHER: { description: 'Another purpose, described in `purposeDescription`.' },
    },
  });
  registerEnumType(ConsentScope, {
    name: 'ConsentScope',
    description: 'Which records a grant shares.',
    valuesConfig: {
      ACHIEVEMENTS: { description: 'Assessed achievements: grades, credits, skills shown.' },
      ENROLMENTS: { description: 'Enrolments, including ongoing and withdrawn ones.' },
    },
  });
  registerEnumType(GranteeKind, {
    name: 'GranteeKind',
    description: 'Who receives a grant.',
    valuesConfig: {
      MEMBER: { description: "An alliance member: its staff may read the shared records." },
      VERIFIER: { description: 'A named verifier outside the alliance (e.g. an employer).' },
    },
  });
  registerEnumType(ConsentGrantStatus, {
    name: 'ConsentGrantStatus',
    valuesConfig: {
      ACTIVE: { description: 'In force: neither revoked nor past its expiry.' },
      EXPIRED: { description: 'Past its expiry.' },
      REVOKED: { description: 'Revoked by the learner.' },
    },
  });
}
