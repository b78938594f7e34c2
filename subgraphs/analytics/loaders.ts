import DataLoader from 'dataloader';
import type { SignedIn } from '../../lib/access.js';
import { MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { callService, type SubgraphCaller } from '../../lib/subgraph-calls.js';
import { OfferingFeedback } from './records.js';

/** The subgraphs analytics reads from: the member router (enrolments, counts) and the learner register (mobility counts). */
export type AnalyticsSource = 'members' | 'learners' | 'issuance' | 'recognition' | 'esco';

/** A stored datetime as the driver returns it (SQLite: epoch milliseconds; PostgreSQL: a Date). */
const dateOf = (value: unknown) => (value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string | number)));

/**
 * Every feedback row of the members, read as plain rows: summaries only read
 * them, and hydrating a member's thousands of responses as ORM entities cost
 * ~80 % of a quality read (measured: 123 ms a read of 13 members' summaries
 * over 2,185 responses, one at a time).
 */
export async function feedbackOfMembers(em: SqlEntityManager, memberIds: readonly string[]): Promise<OfferingFeedback[]> {
  const rows = (await em
    .getKnex()('offering_feedback')
    .select('id', 'learner_id', 'enrolment_id', 'offering_id', 'member_id', 'content', 'workload', 'assessment', 'support', 'relevance', 'comment', 'ects', 'created_at', 'updated_at', 'revision')
    .whereIn('member_id', [...memberIds])
    .orderBy('id', 'asc')) as Record<string, unknown>[];
  return rows.map((row) => ({
    id: String(row['id']),
    learnerId: (row['learner_id'] as string | null) ?? null,
    enrolmentId: String(row['enrolment_id']),
    offeringId: String(row['offering_id']),
    memberId: String(row['member_id']),
    content: Number(row['content']),
    workload: Number(row['workload']),
    assessment: Number(row['assessment']),
    support: Number(row['support']),
    relevance: Number(row['relevance']),
    comment: (row['comment'] as string | null) ?? null,
    ects: Number(row['ects']),
    createdAt: dateOf(row['created_at']),
    updatedAt: dateOf(row['updated_at']),
    revision: Number(row['revision']),
  }));
}

/**
 * Per-request loaders: a list of N offerings with their summaries costs one
 * query of the feedback table per batch of members and at most one call to the member router (the
 * enrolment counts, as aliases of one query), never N of each.
 */
export function createAnalyticsLoaders(em: SqlEntityManager, sources: SubgraphCaller<AnalyticsSource>) {
  return {
    /** Every feedback on a member's offerings (summaries of one offering are suppressed against the member's others). */
    feedbackByMember: new DataLoader<string, OfferingFeedback[]>(
      async (ids) => {
        const rows = await feedbackOfMembers(em, ids);
        return ids.map((id) => rows.filter((row) => row.memberId === id));
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** Enrolments per offering as the member publishes them to this caller (null: withheld or not readable). */
    enrolments: (caller: SignedIn) =>
      new DataLoader<string, number | null>(
        async (ids) => {
          const query = `query FeedbackUptake(${ids.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${ids.map((_, i) => `o${i}: offering(id: $i${i}) { uptake { enrolments } }`).join(' ')} }`;
          const body = await callService(sources, 'members', caller, query, Object.fromEntries(ids.map((id, i) => [`i${i}`, id]))).catch(() => null);
          return ids.map((_, i) => ((body?.data?.[`o${i}`] as { uptake: { enrolments: number | null } | null } | null | undefined)?.uptake?.enrolments ?? null));
        },
        { maxBatchSize: 50 },
      ),
  };
}

export type AnalyticsLoaders = ReturnType<typeof createAnalyticsLoaders>;
