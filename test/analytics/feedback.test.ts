import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { openAnalyticsDatabase } from '../../subgraphs/analytics/database.js';
import { AnalyticsAudit, OfferingFeedback } from '../../subgraphs/analytics/records.js';
import type { DemoOffering } from '../../hub/demo.js';

/*
 * Learner feedback for quality assurance (issue 13, point 3) through the
 * gateway: who may give it (enrolled learners, once per offering, editable
 * for a while), what the member and analysts see (aggregates over k, months
 * withheld with complementary suppression, comments only for the member's
 * own staff once k responses exist), erasure.
 */

const SUBMIT = /* GraphQL */ `
  mutation ($input: OfferingFeedbackInput!) {
    submitOfferingFeedback(input: $input) { created changed feedback { id revision comment enrolmentId offering { id } ratings { content workload assessment support relevance } editableUntil } }
  }
`;
const SUMMARY = /* GraphQL */ `
  query ($id: ID!) {
    offering(id: $id) { id qualitySummary { k withheld responses responseRate averages { content workload overall } workloadMoreThanStated trend { month responses overall withheld } comments } }
  }
`;
const MEMBER_SUMMARY = /* GraphQL */ `query ($id: ID!) { institution(id: $id) { qualitySummary { withheld responses averages { overall } comments } } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const ratings = (value: number) => ({ content: value, workload: 3, assessment: value, support: value, relevance: value });

/** Offerings with at least `n` demo enrolments that may give feedback (ENROLLED or COMPLETED), with those enrolments. */
const offerings = [...catalogues.values()].flat();
/** Members whose offerings got feedback in this file: a summary is suppressed against its member's other offerings. */
const membersUsed = new Set<string>();
function cohort(minimum: number, skip: Set<string>, options: { freshMember?: boolean } = {}): { offering: DemoOffering; enrolments: { learnerId: string; enrolmentId: string }[] } {
  for (const offering of offerings) {
    if (skip.has(offering.id)) continue;
    const memberId = offering.id.split(':')[0] as string;
    if (options.freshMember && membersUsed.has(memberId)) continue;
    const enrolments = everyone.flatMap((learner) =>
      learner.accounts.flatMap((account) => account.enrolments.filter((enrolment) => enrolment.opportunityId === offering.id && (enrolment.status === 'ENROLLED' || enrolment.status === 'COMPLETED')).map((enrolment) => ({ learnerId: learner.id, enrolmentId: enrolment.id }))),
    );
    if (enrolments.length >= minimum) {
      skip.add(offering.id);
      membersUsed.add(memberId);
      return { offering, enrolments };
    }
  }
  throw new Error(`no demo offering with ${minimum} enrolments`);
}
const used = new Set<string>();

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('feedback on an offering', () => {
  it('is given once per offering by an enrolled learner, changed within the editing period, and audited', async () => {
    const { offering, enrolments } = cohort(1, used);
    const { learnerId, enrolmentId } = enrolments[0] as { learnerId: string; enrolmentId: string };
    const me = await asLearner(hub.hub, learnerId);
    const first = await hub.query(SUBMIT, { input: { enrolmentId, ratings: ratings(4), comment: 'Clear and well paced.\nMore examples please.' } }, me);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.['submitOfferingFeedback']).toMatchObject({ created: true, changed: true, feedback: { revision: 1, offering: { id: offering.id }, ratings: ratings(4) } });

    const same = await hub.query(SUBMIT, { input: { enrolmentId, ratings: ratings(4), comment: 'Clear and well paced.\nMore examples please.' } }, me);
    expect(same.body.data?.['submitOfferingFeedback']).toMatchObject({ created: false, changed: false, feedback: { revision: 1 } });
    const changed = await hub.query(SUBMIT, { input: { enrolmentId, ratings: ratings(2) } }, me);
    expect(changed.body.data?.['submitOfferingFeedback']).toMatchObject({ created: false, changed: true, feedback: { revision: 2, comment: null, ratings: ratings(2) } });
    expect(changed.body.data?.['submitOfferingFeedback'].feedback.id).toBe(first.body.data?.['submitOfferingFeedback'].feedback.id);

    const mine = await hub.query(`query ($id: ID!) { learner(id: $id) { feedback { id revision offering { id } } } }`, { id: learnerId }, me);
    expect(mine.body.data?.['learner'].feedback).toEqual([{ id: first.body.data?.['submitOfferingFeedback'].feedback.id, revision: 2, offering: { id: offering.id } }]);
    const other = await hub.query(`query ($id: ID!) { learner(id: $id) { feedback { id } } }`, { id: learnerId }, await asLearner(hub.hub, (everyone.find((learner) => learner.id !== learnerId) as { id: string }).id));
    expect(codes(other.body)).toContain('FORBIDDEN');

    const orm = await openAnalyticsDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'analytics.sqlite') }, { migrate: false });
    try {
      const rows = await orm.em.fork().find(AnalyticsAudit, { actorLearnerId: learnerId }, { orderBy: { id: 'asc' } });
      expect(rows.map((row) => row.action)).toEqual(['submitOfferingFeedback', 'changeOfferingFeedback']);
      expect(rows[0]?.after).not.toContain('More examples');
    } finally {
      await orm.close();
    }
  });

  it('is refused for someone else\'s enrolment, an enrolment never held, bad ratings, and anyone but a learner', async () => {
    const { enrolments } = cohort(2, used);
    const [mine, theirs] = enrolments as [{ learnerId: string; enrolmentId: string }, { learnerId: string; enrolmentId: string }];
    const me = await asLearner(hub.hub, mine.learnerId);
    const foreign = await hub.query(SUBMIT, { input: { enrolmentId: theirs.enrolmentId, ratings: ratings(5) } }, me);
    const missing = await hub.query(SUBMIT, { input: { enrolmentId: `${theirs.enrolmentId.split(':')[0]}:enr-none`, ratings: ratings(5) } }, me);
    expect(foreign.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'input.enrolmentId' });
    expect(foreign.body.errors?.[0]?.message).toBe(missing.body.errors?.[0]?.message);

    for (const [input, argument] of [
      [{ enrolmentId: mine.enrolmentId, ratings: { ...ratings(5), support: 6 } }, 'input.ratings.support'],
      [{ enrolmentId: mine.enrolmentId, ratings: { ...ratings(5), content: 0 } }, 'input.ratings.content'],
      [{ enrolmentId: mine.enrolmentId, ratings: ratings(5), comment: 'x'.repeat(2_001) }, 'input.comment'],
      [{ enrolmentId: 'nonsense', ratings: ratings(5) }, 'input.enrolmentId'],
    ] as const) {
      expect((await hub.query(SUBMIT, { input }, me)).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }

    // An application not yet admitted, or a withdrawn one, gives no right to feedback.
    const applied = everyone.flatMap((learner) => learner.accounts.flatMap((account) => account.enrolments.filter((enrolment) => enrolment.status === 'APPLIED').map((enrolment) => ({ learnerId: learner.id, enrolmentId: enrolment.id }))))[0] as { learnerId: string; enrolmentId: string };
    const early = await hub.query(SUBMIT, { input: { enrolmentId: applied.enrolmentId, ratings: ratings(5) } }, await asLearner(hub.hub, applied.learnerId));
    expect(early.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_ELIGIBLE' });

    const input = { enrolmentId: mine.enrolmentId, ratings: ratings(5) };
    expect((await hub.query(SUBMIT, { input })).status).toBe(401);
    for (const headers of [await bearer(hub.hub, { role: 'analyst' }), await bearer(hub.hub, { role: 'member-staff', memberId: mine.enrolmentId.split(':')[0] as string })]) {
      expect(codes((await hub.query(SUBMIT, { input }, headers)).body)).toEqual(['FORBIDDEN']);
    }
  });
});

describe('quality summaries', () => {
  it('withhold everything below k, then show averages, a trend and, to the member\'s own staff only, comments without names', async () => {
    // At a member with no other feedback, so that only this offering's own count decides what is shown.
    const { offering, enrolments } = cohort(6, used, { freshMember: true });
    const memberId = offering.id.split(':')[0] as string;
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId, subject: `qa@${memberId}` });
    const analyst = await bearer(hub.hub, { role: 'analyst', subject: 'analyst@eciu.eu' });
    const give = async (index: number, value: number, comment?: string) => {
      const { learnerId, enrolmentId } = enrolments[index] as { learnerId: string; enrolmentId: string };
      const body = (await hub.query(SUBMIT, { input: { enrolmentId, ratings: ratings(value), ...(comment ? { comment } : {}) } }, await asLearner(hub.hub, learnerId))).body;
      expect(body.errors).toBeUndefined();
    };
    for (let i = 0; i < 4; i += 1) await give(i, 4, i === 0 ? 'Great challenge' : undefined);
    const few = (await hub.query(SUMMARY, { id: offering.id }, staff)).body.data?.['offering'].qualitySummary;
    expect(few).toEqual({ k: 5, withheld: true, responses: null, responseRate: null, averages: null, workloadMoreThanStated: null, trend: [], comments: null });

    await give(4, 2, 'Assessment was unclear');
    const staffView = (await hub.query(SUMMARY, { id: offering.id }, staff)).body.data?.['offering'].qualitySummary;
    expect(staffView).toMatchObject({ withheld: false, responses: 5, averages: { content: 3.6, workload: 3, overall: 3.6 }, workloadMoreThanStated: 0 });
    expect(staffView.comments).toEqual(['Assessment was unclear', 'Great challenge']);
    expect(staffView.trend.reduce((sum: number, month: { responses: number | null }) => sum + (month.responses ?? 0), 0)).toBeLessThanOrEqual(5);
    const analystView = (await hub.query(SUMMARY, { id: offering.id }, analyst)).body.data?.['offering'].qualitySummary;
    expect(analystView).toMatchObject({ withheld: false, responses: 5, comments: null });
    expect(JSON.stringify(analystView)).not.toContain('Great challenge');

    const member = (await hub.query(MEMBER_SUMMARY, { id: memberId }, analyst)).body.data?.['institution'].qualitySummary;
    expect(member).toMatchObject({ withheld: false, comments: null });
    expect(member.responses).toBeGreaterThanOrEqual(5);
  });

  it("are refused to learners, anonymous callers and other members' staff", async () => {
    const { offering } = cohort(1, used);
    const memberId = offering.id.split(':')[0] as string;
    const otherMember = memberId === 'tuni.fi' ? 'dcu.ie' : 'tuni.fi';
    for (const headers of [await asLearner(hub.hub, (everyone[0] as { id: string }).id), await bearer(hub.hub, { role: 'member-staff', memberId: otherMember })]) {
      const offeringAnswer = await hub.query(SUMMARY, { id: offering.id }, headers);
      expect(codes(offeringAnswer.body)).toContain('FORBIDDEN');
      expect(offeringAnswer.body.data?.['offering']?.qualitySummary ?? null).toBeNull();
      expect(codes((await hub.query(MEMBER_SUMMARY, { id: memberId }, headers)).body)).toContain('FORBIDDEN');
    }
    const anonymous = await hub.query(SUMMARY, { id: offering.id });
    expect(codes(anonymous.body)).toContain('UNAUTHENTICATED');
  });
});

describe('erasure', () => {
  it("anonymises the learner's feedback: the ratings stay in the aggregates, the comment and the learner go", async () => {
    const { enrolments } = cohort(1, used);
    const { learnerId, enrolmentId } = enrolments[0] as { learnerId: string; enrolmentId: string };
    const me = await asLearner(hub.hub, learnerId);
    const given = await hub.query(SUBMIT, { input: { enrolmentId, ratings: ratings(5), comment: 'I am the only one from Ireland here' } }, me);
    const feedbackId = given.body.data?.['submitOfferingFeedback'].feedback.id as string;
    // The learner may have given feedback in an earlier test too: all of it goes.
    const before = ((await hub.query(`query ($id: ID!) { learner(id: $id) { feedback { id } } }`, { id: learnerId }, me)).body.data?.['learner'].feedback as unknown[]).length;
    const erased = await hub.query(`mutation ($confirm: ID!) { eraseMyAccount(confirm: $confirm) { id } }`, { confirm: learnerId }, me);
    const receiptId = erased.body.data?.['eraseMyAccount'].id as string;
    let counts: Record<string, number> = {};
    for (let attempt = 0; attempt < 100 && !counts['feedbackAnonymised']; attempt += 1) {
      const receipt = await hub.query(`query ($id: ID!) { erasureReceipt(id: $id) { targets { target status counts { kind count } } } }`, { id: receiptId }, me);
      const target = (receipt.body.data?.['erasureReceipt']?.targets as { target: string; status: string; counts: { kind: string; count: number }[] }[] | undefined)?.find((item) => item.target === 'analytics');
      if (target?.status === 'DONE') counts = Object.fromEntries(target.counts.map((entry) => [entry.kind, entry.count]));
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counts['feedbackAnonymised']).toBe(before);
    expect(counts['auditAnonymised']).toBeGreaterThanOrEqual(before);
    const orm = await openAnalyticsDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'analytics.sqlite') }, { migrate: false });
    try {
      const row = await orm.em.fork().findOne(OfferingFeedback, { id: feedbackId });
      expect(row).toMatchObject({ learnerId: null, comment: null, enrolmentId: 'erased', content: 5 });
      expect(await orm.em.fork().count(AnalyticsAudit, { actorLearnerId: learnerId })).toBe(0);
    } finally {
      await orm.close();
    }
  });
});
