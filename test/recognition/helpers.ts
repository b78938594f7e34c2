import { everyone, passed, type PassedAchievement } from '../issuance/demo-achievements.js';
import type { GraphQLBody, TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/* What the recognition tests share: the documents the portal and a recognition office send, and demo facts to pick from. */

export const REQUEST_FIELDS = /* GraphQL */ `
  id state ectsRequested evidenceEcts appealed appealable
  member { id }
  learner { id }
  target { kind title ects eqfLevel offering { id } }
  evidence { kind achievementId credentialId title issuer { id } issuerAuthority ects eqfLevel passed grade opportunityKind document portfolio { reflection links } verification { check passed } }
  decision { outcome ectsRecognised convertedGrade countsAs rejectionReason explanation decidedBy { role member { id } subject } ruleVersion }
  history { action fromState toState actor { role member { id } subject } message decision { outcome } }
  consent { givenAt sharedWith { id } evidenceShared }
  rule { id name }
`;

export const SUBMIT = /* GraphQL */ `
  mutation ($input: SubmitRecognitionRequestInput!, $key: String) {
    submitRecognitionRequest(input: $input, clientKey: $key) { created request { ${REQUEST_FIELDS} } }
  }
`;

export const DECIDE = /* GraphQL */ `
  mutation ($input: DecideRecognitionInput!, $key: String) { decideRecognitionRequest(input: $input, clientKey: $key) { ${REQUEST_FIELDS} } }
`;

export const APPEAL = /* GraphQL */ `
  mutation ($id: ID!, $grounds: String!) { appealRecognitionDecision(requestId: $id, grounds: $grounds) { ${REQUEST_FIELDS} } }
`;

export const ANSWER = /* GraphQL */ `
  mutation ($id: ID!, $message: String!, $evidence: [EvidenceInput!]) { provideRecognitionInformation(requestId: $id, message: $message, evidence: $evidence) { ${REQUEST_FIELDS} } }
`;

export const WITHDRAW = /* GraphQL */ `
  mutation ($id: ID!) { withdrawRecognitionRequest(requestId: $id, reason: "Changed my plans") { ${REQUEST_FIELDS} } }
`;

export const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
export const argumentsOf = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['argument']);

export const staff = (hub: TestHub, memberId: string) => bearer(hub.hub, { role: 'member-staff', memberId, subject: `officer@${memberId}` });
export const learner = (hub: TestHub, learnerId: string) => asLearner(hub.hub, learnerId);

/** The members where a demo learner has an account. */
export function membersOf(learnerId: string): string[] {
  return everyone.find((candidate) => candidate.id === learnerId)?.accounts.map((account) => account.memberId) ?? [];
}

/** A learner's passed, credit-bearing achievements with the member they could ask (another member where they have an account). */
export interface Candidate {
  learnerId: string;
  home: string;
  achievements: PassedAchievement[];
}

/** Learners with credit at one member and an account at another (their "home"), each once, in a fixed order. */
export const candidates: Candidate[] = everyone.flatMap((person) => {
  const credit = passed.filter((item) => item.learnerId === person.id && item.offering.creditBearing && item.achievement.ectsAwarded > 0);
  if (credit.length === 0) return [];
  const home = person.accounts.map((account) => account.memberId).find((memberId) => credit.some((item) => item.memberId !== memberId));
  return home ? [{ learnerId: person.id, home, achievements: credit.filter((item) => item.memberId !== home) }] : [];
});

export function slotInput(candidate: Candidate, evidence: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return { memberId: candidate.home, creditSlot: { ects: 10, eqfLevel: 6, area: 'Electives' }, evidence, consent: true, ...extra };
}

/** Every (learner, home) pair: a member where the learner has an account, with their credit from other members. */
export const pairs: Candidate[] = everyone.flatMap((person) =>
  person.accounts.flatMap((account) => {
    const achievements = passed.filter((item) => item.learnerId === person.id && item.memberId !== account.memberId && item.offering.creditBearing && item.achievement.ectsAwarded > 0);
    return achievements.length > 0 ? [{ learnerId: person.id, home: account.memberId, achievements }] : [];
  }),
);

export const RULE_FIELDS = /* GraphQL */ `
  id name description active version scope eqfMin requirePassed ectsCapPerYear fixedEcts countsAs
  member { id } offerings { id } issuerAuthorities issuerMembers { id } opportunityKinds microCredentialTypes
`;

export const CREATE_RULE = /* GraphQL */ `mutation ($input: RecognitionRuleInput!) { createRecognitionRule(input: $input) { ${RULE_FIELDS} } }`;
export const UPDATE_RULE = /* GraphQL */ `mutation ($id: ID!, $input: RecognitionRuleInput!) { updateRecognitionRule(id: $id, input: $input) { ${RULE_FIELDS} } }`;
export const DRY_RUN = /* GraphQL */ `
  query ($request: ID!, $rule: ID, $draft: RecognitionRuleInput) { recognitionRuleDryRun(requestId: $request, ruleId: $rule, rule: $draft) { covers outcome ectsRecognised reasons } }
`;

/** A learner with passed credit-bearing achievements at two members, and those two achievements. */
export function learnerAtTwoMembers(skip: Set<string>, firstFits: (item: PassedAchievement) => boolean = () => true): { learnerId: string; items: [PassedAchievement, PassedAchievement] } {
  const byLearner = new Map<string, PassedAchievement[]>();
  for (const item of passed) if (item.offering.creditBearing && item.achievement.ectsAwarded > 0) byLearner.set(item.learnerId, [...(byLearner.get(item.learnerId) ?? []), item]);
  for (const [learnerId, items] of byLearner) {
    if (skip.has(learnerId)) continue;
    const first = items.find(firstFits);
    if (!first) continue;
    const second = items.find((item) => item.memberId !== first.memberId);
    if (second) {
      skip.add(learnerId);
      return { learnerId, items: [first, second] };
    }
  }
  throw new Error('no demo learner fits');
}
