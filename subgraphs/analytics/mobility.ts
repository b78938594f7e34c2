import { callService } from '../../lib/subgraph-calls.js';
import { addTwoWayTable, suppress, type SumConstraint } from '../../lib/suppression.js';
import type { AnalyticsService } from './context.js';
import { STATISTICS_READER, type PublishedMobility } from './publication.js';

/*
 * Mobility (docs/analytics.md, "Mobility"): counted by the learner register,
 * where the links between learners and members are, and published here with
 * the same suppression as every other table: the flows as a home × host
 * table with its sums, and learners by number of members with their total.
 */

interface MobilityAnswer {
  mobilityCounts: { flows: { home: string; host: string; learners: number }[]; byMemberCount: { members: number; learners: number }[] } | null;
}

const QUERY = /* GraphQL */ `query Mobility { mobilityCounts { flows { home host learners } byMemberCount { members learners } } }`;

export async function readMobility(service: AnalyticsService, k: number): Promise<PublishedMobility> {
  const body = await callService(service.sources, 'learners', STATISTICS_READER, QUERY, {}, 'no mobility figures were published');
  const counts = (body.data as MobilityAnswer | null | undefined)?.mobilityCounts ?? { flows: [], byMemberCount: [] };
  const members = [...new Set(counts.flows.flatMap((flow) => [flow.home, flow.host]))].sort();
  const cells = members.map((home) => members.map((host) => counts.flows.find((flow) => flow.home === home && flow.host === host)?.learners ?? 0));
  const system = { values: [] as number[], constraints: [] as SumConstraint[] };
  const table = addTwoWayTable(system, {
    cells,
    rowTotals: cells.map((row) => row.reduce((a, b) => a + b, 0)),
    columnTotals: members.map((_, c) => cells.reduce((sum, row) => sum + (row[c] as number), 0)),
    total: cells.flat().reduce((a, b) => a + b, 0),
  });
  const hidden = suppress(system.values, system.constraints, k).suppressed;
  const shown = (variable: number) => (hidden[variable] ? null : (system.values[variable] as number));

  const buckets = counts.byMemberCount;
  const learners = buckets.reduce((sum, bucket) => sum + bucket.learners, 0);
  const bucketHidden = suppress([...buckets.map((bucket) => bucket.learners), learners], [{ total: buckets.length, parts: buckets.map((_, i) => i) }], k).suppressed;
  return {
    members,
    flows: members.map((_, r) => members.map((__, c) => shown(table.cell(r, c)))),
    outgoing: members.map((_, r) => shown(table.rowTotal(r))),
    incoming: members.map((_, c) => shown(table.columnTotal(c))),
    total: shown(table.total),
    byMemberCount: buckets.map((bucket, i) => ({ members: bucket.members, learners: bucketHidden[i] ? null : bucket.learners })),
    learners: bucketHidden[buckets.length] ? null : learners,
  };
}

/** Learners at two or more members: a sum of published buckets only (a withheld bucket would be given away by it). */
export function multiMemberLearners(mobility: PublishedMobility): number | null {
  const multi = mobility.byMemberCount.filter((bucket) => bucket.members >= 2);
  return multi.every((bucket) => bucket.learners !== null) ? multi.reduce((sum, bucket) => sum + (bucket.learners as number), 0) : null;
}
