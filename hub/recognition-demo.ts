import type { TokenRequest } from './dev-idp.js';
import { memberProfile } from './alliance.js';
import { generateCatalogues, generateLearner, type DemoOffering } from './demo.js';

/*
 * Demo recognition data for `npm start` (issue 11, point 8): two published
 * pathways - the alliance's certificate in sustainable cities and Tampere's
 * stack of micro-modules towards its master - two recognition rules, and a
 * recognition request in every state. Written through the gateway as the
 * learners, staff and administrators who would write them (tokens from the
 * development identity provider), so the demo goes through every access rule
 * and validation a real user meets and cannot hold a state the graph would
 * refuse. Learners and offerings are picked from the deterministic demo data.
 * Seeded once: a hub whose alliance pathway exists already is left as it is.
 */

export const SUSTAINABLE_CITIES = 'ECIU certificate in Sustainable Cities';
const TAMPERE_STACK = 'Tampere micro-module stack towards the MSc in Sustainable Urban Development';
/** Members that publish a recognition rule in the demo (requests decided by hand go elsewhere). */
const RULE_MEMBERS = ['tuni.fi', 'dcu.ie'];
const MAY_APPROVE = ['FULL', 'SEMI_PREQUALIFIED', 'MICRO_CREDENTIALS_ONLY'];

export interface RecognitionDemoTarget {
  gatewayUrl: string;
  idp: { issue(request: TokenRequest): Promise<string> };
}

export interface RecognitionShowcase {
  /** A learner whose progress along the alliance certificate is complete: its stacked credential can be issued. */
  learnerId: string | null;
  pathwayId: string;
  pathwayName: string;
  /** Recognition requests seeded, by state (empty when the demo was seeded before). */
  requests: Record<string, number>;
}

interface Passed {
  learnerId: string;
  memberId: string;
  achievementId: string;
  ects: number;
  offering: DemoOffering;
}

/** Posts one operation; a GraphQL error stops the seeding with what failed (the demo must not be half-true). */
async function graphql(target: RecognitionDemoTarget, as: TokenRequest, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(target.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await target.idp.issue(as)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`demo recognition data: ${body.errors.map((error) => error.message).join('; ')}`);
  return body.data ?? {};
}

const ADMIN: TokenRequest = { role: 'alliance-admin', subject: 'demo-admin@eciu.eu' };
const staff = (memberId: string): TokenRequest => ({ role: 'member-staff', memberId, subject: `recognition-office@${memberId}` });
const learner = (learnerId: string): TokenRequest => ({ role: 'learner', learnerId });

const PATHWAYS = /* GraphQL */ `query { pathways(includeInactive: true) { id name } }`;
const CREATE_PATHWAY = /* GraphQL */ `mutation ($input: PathwayInput!, $key: String) { createPathway(input: $input, clientKey: $key) { id name } }`;
const CREATE_RULE = /* GraphQL */ `mutation ($input: RecognitionRuleInput!) { createRecognitionRule(input: $input) { id } }`;
const SUBMIT = /* GraphQL */ `mutation ($input: SubmitRecognitionRequestInput!, $key: String) { submitRecognitionRequest(input: $input, clientKey: $key) { request { id state } } }`;
const DECIDE = /* GraphQL */ `mutation ($input: DecideRecognitionInput!) { decideRecognitionRequest(input: $input) { id state } }`;
const APPEAL = /* GraphQL */ `mutation ($id: ID!, $grounds: String!) { appealRecognitionDecision(requestId: $id, grounds: $grounds) { id state } }`;
const WITHDRAW = /* GraphQL */ `mutation ($id: ID!) { withdrawRecognitionRequest(requestId: $id, reason: "I will take the module at my home university instead.") { id state } }`;
const PROGRESS = /* GraphQL */ `query ($learner: ID!, $pathway: ID!) { learner(id: $learner) { pathwayProgress(pathwayId: $pathway) { complete } } }`;

/** The demo learners' passed achievements and home members (where they have an account), from the generator. */
function demoFacts(learners: number): { passed: Passed[]; homes: Map<string, string[]> } {
  const catalogues = generateCatalogues();
  const offerings = new Map([...catalogues.values()].flat().map((offering) => [offering.id, offering]));
  const passed: Passed[] = [];
  const homes = new Map<string, string[]>();
  for (let index = 0; index < learners; index++) {
    const person = generateLearner(index, catalogues);
    homes.set(person.id, person.accounts.map((account) => account.memberId));
    for (const account of person.accounts) {
      for (const enrolment of account.enrolments) {
        const offering = offerings.get(enrolment.opportunityId);
        if (enrolment.achievement?.passed && offering) passed.push({ learnerId: person.id, memberId: account.memberId, achievementId: enrolment.achievement.id, ects: enrolment.achievement.ectsAwarded, offering });
      }
    }
  }
  return { passed, homes };
}

/** Learners who completed the alliance certificate by the demo data: ≥ 15 ECTS from ≥ 2 members with a passed SDG 11 challenge, most credit first. */
function certificateCandidates(passed: readonly Passed[]): string[] {
  const byLearner = new Map<string, Passed[]>();
  for (const item of passed) byLearner.set(item.learnerId, [...(byLearner.get(item.learnerId) ?? []), item]);
  return [...byLearner.entries()]
    .filter(([, items]) => {
      const credit = items.filter((item) => item.offering.creditBearing);
      return (
        credit.reduce((sum, item) => sum + item.ects, 0) >= 15 &&
        new Set(credit.map((item) => item.memberId)).size >= 2 &&
        items.some((item) => item.offering.kind === 'CHALLENGE' && item.offering.sdgList.split(',').includes('11'))
      );
    })
    .map(([learnerId]) => learnerId);
}

/**
 * Seeds the demo pathways, rules and requests unless the alliance pathway
 * exists already, and names a learner who completed it (checked through the
 * graph, not assumed).
 */
export async function seedRecognitionDemo(target: RecognitionDemoTarget, options: { learners: number; progress?: (message: string) => void }): Promise<RecognitionShowcase> {
  // The first learners are enough to pick from, and keep a large demo (300,000 learners) from generating them all again.
  const { passed, homes } = demoFacts(Math.min(options.learners, 3_000));
  const existing = ((await graphql(target, ADMIN, PATHWAYS, {}))['pathways'] as { id: string; name: string }[]).find((pathway) => pathway.name === SUSTAINABLE_CITIES);
  const requests: Record<string, number> = {};
  let pathwayId = existing?.id;
  if (!pathwayId) {
    options.progress?.('seeding demo pathways, recognition rules and requests');
    pathwayId = await seedPathways(target, passed);
    await seedRules(target);
    Object.assign(requests, await seedRequests(target, passed, homes, new Set(certificateCandidates(passed).slice(0, 10))));
  }
  let learnerId: string | null = null;
  for (const candidate of certificateCandidates(passed).slice(0, 5)) {
    const data = await graphql(target, learner(candidate), PROGRESS, { learner: candidate, pathway: pathwayId });
    if ((data['learner'] as { pathwayProgress: { complete: boolean } | null } | null)?.pathwayProgress?.complete) {
      learnerId = candidate;
      break;
    }
  }
  return { learnerId, pathwayId, pathwayName: SUSTAINABLE_CITIES, requests };
}

async function seedPathways(target: RecognitionDemoTarget, passed: readonly Passed[]): Promise<string> {
  const alliance = await graphql(target, ADMIN, CREATE_PATHWAY, {
    key: 'demo-pathway-sustainable-cities',
    input: {
      name: SUSTAINABLE_CITIES,
      description: 'At least 15 ECTS of micro-modules, challenges and courses from at least two ECIU members, including one challenge on SDG 11 (sustainable cities and communities).',
      ectsMin: 15,
      ectsMax: 30,
      minMembers: 2,
      requirements: [{ kind: 'CHALLENGE', title: 'One challenge on SDG 11', sdg: 11 }],
    },
  });
  // Tampere's stack: any two of its EQF 6-7 micro-modules that learners actually took, 6 to 15 ECTS.
  const taken = [...new Set(passed.filter((item) => item.memberId === 'tuni.fi' && item.offering.kind === 'MICRO_MODULE' && item.offering.creditBearing).map((item) => item.offering.id))].sort().slice(0, 8);
  if (taken.length >= 2) {
    await graphql(target, staff('tuni.fi'), CREATE_PATHWAY, {
      key: 'demo-pathway-tampere-stack',
      input: {
        ownerMemberId: 'tuni.fi',
        name: TAMPERE_STACK,
        description: "Micro-modules at Tampere University that count towards the master's programme once at least 6 ECTS of them are stacked.",
        ectsMin: 6,
        ectsMax: 15,
        eqfLevel: 6,
        minMembers: 1,
        memberIds: ['tuni.fi'],
        opportunityKinds: ['MICRO_MODULE'],
        requirements: [{ kind: 'ANY_OF', title: `Two of ${taken.length} core micro-modules`, offeringIds: taken, count: 2 }],
      },
    });
  }
  return (alliance['createPathway'] as { id: string }).id;
}

async function seedRules(target: RecognitionDemoTarget): Promise<void> {
  await graphql(target, staff('tuni.fi'), CREATE_RULE, {
    input: {
      memberId: 'tuni.fi',
      name: 'Alliance micro-credentials as electives',
      description: 'Passed micro-credentials at EQF 6 or above from ECIU members that may approve micro-credentials count as elective ECTS, up to 10 a year.',
      issuerAuthorities: MAY_APPROVE,
      eqfMin: 6,
      ectsCapPerYear: 10,
      countsAs: "Elective ECTS, any master's programme",
    },
  });
  await graphql(target, staff('dcu.ie'), CREATE_RULE, {
    input: {
      memberId: 'dcu.ie',
      name: 'Challenge-based learning as free electives',
      description: 'Passed ECIU challenges count as free electives, up to 5 ECTS a year.',
      opportunityKinds: ['CHALLENGE'],
      ectsCapPerYear: 5,
      countsAs: 'Free elective ECTS',
    },
  });
}

/** One request per state, each by a different learner (not `reserved`) at a home member without a demo rule, plus one a rule decides. */
async function seedRequests(target: RecognitionDemoTarget, passed: readonly Passed[], homes: ReadonlyMap<string, string[]>, reserved: ReadonlySet<string>): Promise<Record<string, number>> {
  const used = new Set(reserved);
  const pick = (accept: (item: Passed, home: string) => boolean): { item: Passed; home: string } => {
    for (const item of passed) {
      if (used.has(item.learnerId) || !item.offering.creditBearing || item.ects <= 0) continue;
      const home = (homes.get(item.learnerId) ?? []).find((memberId) => memberId !== item.memberId && accept(item, memberId));
      if (home) {
        used.add(item.learnerId);
        return { item, home };
      }
    }
    throw new Error('demo recognition data: no demo learner fits; seed more learners (DEMO_LEARNERS)');
  };
  const submit = async ({ item, home }: { item: Passed; home: string }, key: string) => {
    const data = await graphql(target, learner(item.learnerId), SUBMIT, {
      key,
      input: { memberId: home, creditSlot: { ects: 5, eqfLevel: 6, area: 'Electives' }, evidence: [{ achievementId: item.achievementId }], consent: true, statement: `I took "${item.offering.title}" at ${item.memberId} as part of the ECIU programme.` },
    });
    return (data['submitRecognitionRequest'] as { request: { id: string; state: string } }).request;
  };
  const manual = (item: Passed, home: string) => !RULE_MEMBERS.includes(home) && item.ects >= 1;
  const decide = (home: string, input: Record<string, unknown>) => graphql(target, staff(home), DECIDE, { input });

  const counts: Record<string, number> = {};
  const record = (state: string) => (counts[state] = (counts[state] ?? 0) + 1);

  const pending = pick(manual);
  record((await submit(pending, 'demo-request-submitted')).state);

  const unclear = pick(manual);
  const asked = await submit(unclear, 'demo-request-more-information');
  await decide(unclear.home, { requestId: asked.id, outcome: 'MORE_INFORMATION_NEEDED', explanation: 'Please add the module description with its learning outcomes and the assessment you took.' });
  record('MORE_INFORMATION_NEEDED');

  const full = pick(manual);
  const recognised = await submit(full, 'demo-request-recognised');
  await decide(full.home, { requestId: recognised.id, outcome: 'RECOGNISED', ectsRecognised: full.item.ects, explanation: 'Equivalent in level, workload and outcomes to our elective modules.', countsAs: 'Electives' });
  record('RECOGNISED');

  const partial = pick(manual);
  const partly = await submit(partial, 'demo-request-partially-recognised');
  await decide(partial.home, {
    requestId: partly.id,
    outcome: 'PARTIALLY_RECOGNISED',
    ectsRecognised: partial.item.ects / 2,
    rejectionReason: 'SUBSTANTIAL_DIFFERENCE_WORKLOAD',
    explanation: 'The documented workload covers half of the hours our comparable module requires; half of the credit is recognised.',
    countsAs: 'Electives',
  });
  record('PARTIALLY_RECOGNISED');

  const refused = pick(manual);
  const rejected = await submit(refused, 'demo-request-rejected');
  await decide(refused.home, { requestId: rejected.id, outcome: 'REJECTED', rejectionReason: 'SUBSTANTIAL_DIFFERENCE_LEARNING_OUTCOMES', explanation: 'Its learning outcomes do not overlap with any elective of the programme the learner is enrolled in.' });
  record('REJECTED');

  const appealing = pick(manual);
  const appealed = await submit(appealing, 'demo-request-appealed');
  await decide(appealing.home, { requestId: appealed.id, outcome: 'REJECTED', rejectionReason: 'SUBSTANTIAL_DIFFERENCE_LEVEL', explanation: 'The module is at a lower level than the EQF 7 electives of the programme.' });
  await graphql(target, learner(appealing.item.learnerId), APPEAL, { id: appealed.id, grounds: 'The module was assessed at EQF 6, the level of the elective slot I asked for; please review the level.' });
  record('APPEALED');

  const changedMind = pick(manual);
  const withdrawn = await submit(changedMind, 'demo-request-withdrawn');
  await graphql(target, learner(changedMind.item.learnerId), WITHDRAW, { id: withdrawn.id });
  record('WITHDRAWN');

  // Tampere's rule decides at once: evidence from a member that may approve micro-credentials, at EQF 6 or above.
  const byRule = pick((item, home) => home === 'tuni.fi' && item.offering.eqfLevel >= 6 && MAY_APPROVE.includes(memberProfile(item.memberId)?.accreditationAuthority ?? ''));
  record((await submit(byRule, 'demo-request-by-rule')).state);
  return counts;
}
