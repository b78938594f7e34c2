// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { LearningMode } from '../member/enums.js';
import type { PassportContext } from './context.js';
import { catalogue, goalSkills, skillFacts } from './goals.js';
import { Learner } from './model.js';
import { readEvidence } from './reader.js';
import { recommend, type ScoredOffering } from './recommend.js';
import { CoverageKind, Recommendation, RecommendationConstraintsInput, RecommendationGoalInput, Recommendations } from './recommend-model.js';
import { MotivationScan } from './records.js';
import { checkedAnswers, CURRENT_QUESTIONNAIRE, type ScanAnswers } from './scan.js';
import { buildPassport } from './skills.js';

const GOAL_FIELDS = new Set(['skillUris', 'skillGroupUris', 'occupationUri', 'pathwayId']);
const MEMBER_ID = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

function view(item: ScoredOffering, label: (uri: string) => string): Recommendation {
  const { offering } = item;
  const exact = item.covers.filter((cover) => cover.how === 'EXACT').map((cover) => label(cover.skill));
  const near = item.covers.filter((cover) => cover.how === 'SAME_GROUP').map((cover) => `${label(cover.skill)} (via ${label(cover.via?.skill ?? '')})`);
  const parts = [
    exact.length > 0 ? `teaches ${exact.join(', ')}` : null,
    near.length > 0 ? `is close to ${near.join(', ')} in the ESCO hierarchy` : null,
    item.buildsOn.length > 0 ? `builds on ${item.buildsOn.map(label).join(', ')} you already have` : null,
    item.components.goal > 0 ? 'is named by your pathway' : null,
  ].filter(Boolean);
  return {
    offering: { id: offering.id },
    title: offering.title,
    institution: { id: offering.memberId },
    ects: offering.ects,
    eqfLevel: offering.eqfLevel,
    mode: offering.mode as LearningMode,
    languages: offering.languages,
    startDate: offering.startDate,
    score: item.score,
    components: item.components,
    covers: item.covers.map((cover) => ({
      skill: { uri: cover.skill },
      label: label(cover.skill),
      how: cover.how as CoverageKind,
      viaGroup: cover.via ? { uri: cover.via.group } : null,
      viaSkill: cover.via ? { uri: cover.via.skill } : null,
      weight: cover.weight,
    })),
    buildsOn: item.buildsOn.map((uri) => ({ uri })),
    explanation: `${offering.title} (${offering.memberId}, ${offering.ects} ECTS, EQF ${offering.eqfLevel}) ${parts.join('; ')}.`,
  };
}

@Resolver(() => Learner)
export class LearnerRecommendationResolver {
  @FieldResolver(() => Recommendations, {
    nullable: true,
    description:
      "Offerings across all members that close the gap between the passport and a goal, each explained, and a plan within the ECTS budget (the learner only). Goal and constraints default to the learner's motivation scan. Deterministic for the same data and input.",
  })
  async recommendations(
    @Root() learner: Learner,
    @Ctx() context: PassportContext,
    @Arg('goal', () => RecommendationGoalInput, { nullable: true }) goal?: RecommendationGoalInput | null,
    @Arg('constraints', () => RecommendationConstraintsInput, { nullable: true }) constraints?: RecommendationConstraintsInput | null,
    @Arg('first', () => Int, { defaultValue: 10, description: 'Ranked items, 1 to 50.' }) first = 10,
  ): Promise<Recommendations> {
    const caller = requireSignedIn(context.principal, 'recommendations');
    if (!hasRole(caller, 'learner') || caller.learnerId !== learner.id) throw forbidden('Recommendations are for the learner themselves.');
    if (!Number.isInteger(first) || first < 1 || first > 50) throw badUserInput('"first" must be from 1 to 50.', 'first');
    const questionnaire = context.service.questionnaires.get(CURRENT_QUESTIONNAIRE)!;
    // Left out: what the learner said in their scan.
    const scan = !goal || !constraints ? await context.em.findOne(MotivationScan, { learnerId: learner.id }) : null;
    const saved = scan ? (JSON.parse(scan.answers) as ScanAnswers) : null;
    const answers = checkedAnswers(
      {
        ...(goal ?? { skillUris: saved?.goals.skillUris, skillGroupUris: saved?.goals.skillGroupUris, occupationUri: saved?.goals.occupationUri, pathwayId: saved?.goals.pathwayId }),
        ...(constraints ?? saved?.constraints ?? {}),
        sdgs: saved?.interests.sdgs ?? [],
      },
      questionnaire,
      { at: (field) => `${GOAL_FIELDS.has(field) ? 'goal' : 'constraints'}.${field}`, allowEmptyWindow: true },
    );
    const memberIds = [...new Set(constraints?.memberIds ?? [])];
    memberIds.forEach((id, index) => {
      if (!MEMBER_ID.test(id)) throw badUserInput(`"constraints.memberIds[${index}]" is not a member id.`, `constraints.memberIds[${index}]`);
    });
    const { goals } = answers;
    if (goals.skillUris.length + goals.skillGroupUris.length === 0 && !goals.occupationUri && !goals.pathwayId) {
      throw badUserInput('Name a goal (skills, skill groups, an occupation or a pathway), or fill in the motivation scan with one.', 'goal');
    }

    const [read, offerings, wanted] = await Promise.all([readEvidence(context.service, caller, learner.id), catalogue(context.service), goalSkills(context.service, caller, learner.id, goals)]);
    const passport = buildPassport(read.evidence, read.facts);
    const held = new Set(passport.skills.filter((skill) => skill.counts).map((skill) => skill.uri));
    const done = new Set(read.evidence.flatMap((item) => (item.kind === 'ACHIEVEMENT' ? [item.offeringId] : [])));
    const facts = await skillFacts(context.service, [...wanted.skills, ...offerings.flatMap((offering) => offering.skills)]);
    goals.skillUris.forEach((uri, index) => {
      if (!context.service.skills.has(uri)) throw badUserInput(`"goal.skillUris[${index}]" is not a skill ESCO knows: ${uri}.`, `goal.skillUris[${index}]`);
    });
    const gap = wanted.skills.filter((skill) => !held.has(skill));
    const { startAfter, endBefore } = answers.constraints;
    const result = recommend(
      offerings,
      {
        gap,
        goalOfferings: wanted.offerings.filter((id) => !done.has(id)),
        held,
        done,
        sdgInterests: answers.interests.sdgs,
        constraints: { ...answers.constraints, memberIds },
        groupsOf: (skill) => facts(skill).groups,
      },
      first,
    );
    const notes = [...wanted.notes, ...result.notes];
    if (startAfter && endBefore && startAfter > endBefore) notes.unshift(`The date window ends (${endBefore}) before it starts (${startAfter}): no offering can fit it.`);
    const label = (uri: string) => facts(uri).label;
    return {
      gap: gap.map((uri) => ({ uri })),
      ranked: result.ranked.map((item) => view(item, label)),
      plan: {
        offerings: result.plan.offerings.map((item) => view(item, label)),
        ects: result.plan.ects,
        coverage: result.plan.coverage,
        covered: result.plan.covered.map((uri) => ({ uri })),
        uncovered: result.plan.uncovered.map((uri) => ({ uri })),
      },
      considered: result.considered,
      notes,
    };
  }
}
