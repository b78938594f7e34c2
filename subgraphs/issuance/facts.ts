/*
 * What a credential says, gathered from the member that awarded it, before it
 * is written in the European Learning Model (edc.ts) and sealed. Plain data:
 * every value here was read from the member's records through the graph.
 */

export type ProficiencyLevel = 'FOUNDATION' | 'INTERMEDIATE' | 'ADVANCED' | 'HIGHLY_SPECIALISED';
export type AccreditationAuthority = 'FULL' | 'SEMI_PROGRAMMES' | 'SEMI_PREQUALIFIED' | 'MICRO_CREDENTIALS_ONLY' | 'NONE' | 'NOT_ASSESSED';

/**
 * MICRO_CREDENTIAL: a credit-bearing (or non-credit) micro-credential with
 * every Annex I element. PARTICIPATION: a non-credit certificate of
 * participation, which says so and awards no credit. PATHWAY: the stacked
 * credential of a completed pathway (edc-stacked.ts).
 */
export type CredentialKind = 'MICRO_CREDENTIAL' | 'PARTICIPATION' | 'PATHWAY';

export interface StatusEntryFacts {
  /** URL of the status list credential. */
  listUrl: string;
  /** Position in the list (0-based). */
  index: number;
}

export interface CredentialFacts {
  /** `urn:uuid:<uuid>`. */
  credentialId: string;
  kind: CredentialKind;
  issuedAt: Date;
  validFrom: Date;
  /** Null: no expiry. */
  validUntil: Date | null;
  /** The alliance, which seals on behalf of its members. */
  issuer: {
    id: string;
    name: string;
    country: string;
    homepage: string | null;
    /** The alliance's legal identifier (e.g. its registration number in its country), which ELM's SHACL shapes require of an issuer; absent: not stated. */
    legalIdentifier?: string | null;
  };
  /** Annex I element 1: the learner. `id` is the alliance learner id (a URN). */
  learner: { id: string; givenName: string; familyName: string; email: string | null; studentNumber: string | null };
  /** Annex I elements 3 and 4: the awarding member. */
  awardingBody: {
    /** The member id (web domain), e.g. "tuni.fi". */
    id: string;
    name: string;
    /** ISO 3166-1 alpha-2. */
    country: string;
    homepage: string | null;
    accreditationAuthority: AccreditationAuthority;
  };
  achievement: {
    /** Hub id, e.g. "tuni.fi:ach-123-1". */
    id: string;
    /** 1 as first recorded; each correction by the member's staff adds one (absent: 1). */
    revision?: number;
    /** YYYY-MM-DD. */
    assessedOn: string;
    grade: string | null;
    gradingScheme: { code: string; description: string };
    passed: boolean;
    ectsAwarded: number;
    supervision: 'UNSUPERVISED_NO_ID_CHECK' | 'SUPERVISED_NO_ID_CHECK' | 'SUPERVISED_WITH_ID_CHECK' | null;
  };
  offering: {
    id: string;
    code: string | null;
    title: string;
    description: string | null;
    kind: 'MICRO_MODULE' | 'CHALLENGE' | 'COURSE';
    microCredentialType: 'WITHIN_LEARNING_PATH' | 'OUTSIDE_LEARNING_PATH' | 'NON_FORMAL';
    ects: number;
    workloadHours: number;
    eqfLevel: number;
    /** ISCED-F code, e.g. "0731". */
    iscedF: string | null;
    assessmentType: 'WRITTEN_EXAM' | 'ORAL_EXAM' | 'PORTFOLIO' | 'PROJECT_WORK' | 'PRACTICAL' | 'PEER_ASSESSMENT';
    mode: 'ONLINE' | 'BLENDED' | 'PRESENTIAL' | 'WORK_BASED';
    learningSetting: 'FORMAL' | 'NON_FORMAL';
    /** Annex I element 11, in words. */
    qualityAssurance: string;
    prerequisites: string | null;
    stackability: 'STAND_ALONE' | 'STACKABLE';
    stackableTowards: string | null;
    moreInformationUrl: string | null;
    creditBearing: boolean;
    externalAccreditation: { reference: string; body: string; decidedOn: string; validUntil: string | null; url: string | null } | null;
  };
  /** Annex I element 6, each linked to an ESCO skill. */
  learningOutcomes: { description: string; expectedProficiency: ProficiencyLevel; skill: { uri: string; label: string } | null }[];
  /** The ESCO skills shown in the assessment, with the level reached. */
  acquiredSkills: { level: ProficiencyLevel; skill: { uri: string; label: string } }[];
  /** Bitstring status list entries (W3C Bitstring Status List v1.0). */
  status: { revocation: StatusEntryFacts; suspension: StatusEntryFacts };
}

/** One part of a stacked credential: an achievement, or credit recognised by a member, that counted towards the pathway. */
export interface StackedPart {
  /** The achievement id, or the recognition request id. */
  id: string;
  source: 'ACHIEVEMENT' | 'RECOGNITION';
  title: string;
  /** Where it was earned (for a recognition: the member that recognised it). */
  member: { id: string; name: string; country: string };
  ects: number;
  /** YYYY-MM-DD, when known. */
  assessedOn: string | null;
  /** The offering done (or the one a recognition counts towards). */
  offeringId: string | null;
  /** The part's own alliance credential, when one was issued. */
  credentialId: string | null;
}

/**
 * What a stacked credential says: a learner completed a pathway, read from the
 * recognition subgraph (the pathway and what counted) and the members (the
 * learner's name, the awarding bodies) as the caller.
 */
export interface StackedCredentialFacts {
  credentialId: string;
  issuedAt: Date;
  validFrom: Date;
  issuer: CredentialFacts['issuer'];
  learner: CredentialFacts['learner'];
  /** The owning member; null: the alliance itself awards (an alliance pathway). */
  awardingBody: CredentialFacts['awardingBody'] | null;
  /** Whether the stack awards the counted ECTS in the owner's name (the owner may approve micro-credentials). */
  awardsCredit: boolean;
  pathway: { id: string; version: number; name: string; description: string | null; eqfLevel: number | null; ectsMin: number; ectsMax: number | null };
  /** ECTS the parts count towards the pathway (at most its ectsMax). */
  ectsCounted: number;
  /** YYYY-MM-DD: the day the last counted part was assessed. */
  completedOn: string;
  parts: StackedPart[];
  status: { revocation: StatusEntryFacts; suspension: StatusEntryFacts };
}
