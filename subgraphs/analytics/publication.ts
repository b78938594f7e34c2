import type { StatisticsDimension } from '../member/statistics.js';

/* The shape of a publication of the alliance statistics (built by statistics.ts). */

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
}

