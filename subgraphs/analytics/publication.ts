import type { Principal } from '../../lib/auth.js';
import type { StatisticsDimension } from '../member/statistics.js';

/* The shape of a publication of the alliance statistics (built by statistics.ts and mobility.ts). */

/** The identity the service reads counts with: aggregates for its own publication, never a person (docs/security.md). */
export const STATISTICS_READER: Principal = { kind: 'user', subject: 'service:analytics', roles: ['analyst'] };

/** One member's exact counts of one group, as the member answered them (before suppression). */
export interface MemberCountRow {
  member: string;
  keys: string[];
  enrolments: number;
  completions: number;
  passed: number;
  ectsAwarded: number;
}

export interface PublishedCounts {
  enrolments: number | null;
  completions: number | null;
  passed: number | null;
  /** Published with `passed` (the same cells are hidden). */
  ectsAwarded: number | null;
}

export interface PublishedTable {
  dimension: StatisticsDimension | null;
  columns: string[];
  members: string[];
  /** cells[member][column]; empty for the table by member alone. */
  cells: PublishedCounts[][];
  memberTotals: PublishedCounts[];
  columnTotals: PublishedCounts[];
  total: PublishedCounts;
}

export interface Publication {
  at: Date;
  k: number;
  byMember: PublishedTable;
  byDimension: Map<StatisticsDimension, PublishedTable>;
  /** Members whose counts are missing (they did not answer): the figures fall short of the truth. */
  unavailable: string[];
  mobility: PublishedMobility;
  skills: PublishedSkills;
}

/** Skill awards (passed assessments that showed a skill), published (skills.ts). */
export interface PublishedSkills {
  /** Member × level-1 ESCO skills group, with margins. */
  byGroup: PublishedCountTable;
  /** The groups' labels, in column order. */
  groupLabels: string[];
  /** Alliance awards per skill (most first); null: withheld. */
  skills: { uri: string; label: string | null; group: string; awards: number | null }[];
  /** Alliance awards of the skills in each ESCO collection (GREEN, DIGITAL, TRANSVERSAL, …); a skill in two counts in both. */
  collections: { collection: string; awards: number | null }[];
  /** The ESCO service did not answer: every skill's group is "unknown". */
  escoUnavailable: boolean;
}


/** Learner flows from home member (rows) to host member (columns), published. */
export interface PublishedMobility {
  members: string[];
  /** flows[home][host]: learners; null when withheld. The diagonal is always 0. */
  flows: (number | null)[][];
  /** Per home member: learner-host pairs leaving it (the row sums). */
  outgoing: (number | null)[];
  /** Per host member: learner-home pairs arriving (the column sums). */
  incoming: (number | null)[];
  /** All pairs. */
  total: number | null;
  /** Learners by how many members they have accounts at. */
  byMemberCount: { members: number; learners: number | null }[];
  /** Learners in the register with at least one account. */
  learners: number | null;
}

/** A member × column table of one count, withheld cells null. */
export interface PublishedCountTable {
  columns: string[];
  members: string[];
  cells: (number | null)[][];
  memberTotals: (number | null)[];
  columnTotals: (number | null)[];
  total: number | null;
}

export interface PublishedOutcomes {
  at: Date;
  k: number;
  issuedByMonth: PublishedCountTable;
  issuedByKind: PublishedCountTable;
  revokedByMonth: PublishedCountTable;
  recognitionByOutcome: PublishedCountTable;
  /** Per member (then the alliance, member null): median days to decision, only where k or more were decided. */
  decisionTimes: { member: string | null; medianDays: number | null }[];
  /** Sources that did not answer: "issuance", "recognition". */
  unavailable: string[];
}
