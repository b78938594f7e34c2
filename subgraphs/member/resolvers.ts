// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { connectionType } from '../../lib/graphql-types.js';
import { parseGlobalId } from '../../lib/ids.js';
import { pageSize } from '../../lib/pagination.js';
import { checkCohortAccess, checkRecord, checkUptakeAccess, readAccount, readAchievement, readEnrolment, visibleAccounts } from './access.js';
import type { MemberContext } from './context.js';
import { MEMBER_CONTRACT_VERSION } from './contract.js';
import { cycleOfEqfLevel, EnrolmentStatus, OfferingOrder, QfEheaCycle } from './enums.js';
import { enrolmentResolvers } from './enrolment-resolvers.js';
import { gradingScheme } from './grading.js';
import { StatisticsResolver } from './statistics.js';
import { CurationResolver } from './curation-resolvers.js';
import { OfferingFilter } from './inputs.js';
import {
  AcquiredSkill,
  Achievement,
  Enrolment,
  ExternalAccreditation,
  GradingScheme,
  Institution,
  LearnerAccount,
  Learner,
  LearningOpportunity,
  LearningOutcome,
  QualityAssuranceArrangement,
  Skill,
} from './model.js';
import { findAccountsPage, findCohortPage, findOfferingsPage } from './queries.js';
import { Uptake } from './uptake.js';

export const LearningOpportunityConnection = connectionType(LearningOpportunity, 'LearningOpportunity');
export const LearnerAccountConnection = connectionType(LearnerAccount, 'LearnerAccount');
export const AchievementConnection = connectionType(Achievement, 'Achievement');

/** Loads an entity by global id, or null when the id is malformed or belongs to another member. */
function ownId(context: MemberContext, id: string): string | undefined {
  const parsed = parseGlobalId(id);
  return parsed && parsed.memberId === context.memberId ? id : undefined;
}

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const loaded = await value;
  // A dangling reference is a data-integrity fault, not a user error: it is masked as internal.
  if (loaded === null) throw new Error(`Dangling reference to ${what}`);
  return loaded;
}

@Resolver()
export class MemberQueryResolver {
  @Query(() => String, { description: 'Version of the member contract this endpoint implements (semantic versioning).' })
  memberContractVersion(): string {
    return MEMBER_CONTRACT_VERSION;
  }

  @Query(() => [Institution], { nullable: true, description: 'The alliance members (at a member endpoint: the member itself).' })
  async institutions(@Ctx() context: MemberContext): Promise<Institution[]> {
    const own = await context.loaders.institution.load(context.memberId);
    return own ? [own] : [];
  }

  @Query(() => Institution, { nullable: true, description: 'A member by its id (its web domain, e.g. "tuni.fi").' })
  institution(@Arg('id', () => ID) id: string, @Ctx() context: MemberContext): Promise<Institution | null> {
    return context.loaders.institution.load(id);
  }

  @Query(() => LearningOpportunityConnection, {
    nullable: true,
    description: 'Offerings, filtered and ordered, one page at a time (`first` 0–100, default 20).',
  })
  offerings(
    @Ctx() context: MemberContext,
    // type-graphql prints arguments in reverse declaration order: this prints filter, orderBy, first, after.
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('orderBy', () => OfferingOrder, { nullable: true }) orderBy?: OfferingOrder | null,
    @Arg('filter', () => OfferingFilter, { nullable: true }) filter?: OfferingFilter | null,
  ) {
    return findOfferingsPage(context.em, context.databaseKind, context.memberId, { filter, orderBy, first: pageSize(first), after });
  }

  @Query(() => LearningOpportunity, { nullable: true, description: 'An offering by its global id.' })
  offering(@Arg('id', () => ID) id: string, @Ctx() context: MemberContext): Promise<LearningOpportunity | null> {
    const own = ownId(context, id);
    return own ? context.loaders.opportunity.load(own) : Promise.resolve(null);
  }

  @Query(() => LearnerAccountConnection, {
    nullable: true,
    description:
      "Learner accounts ordered by id, one page at a time: the accounts the caller may see (a member's staff: all of the member's; a learner: their own).",
  })
  learnerAccounts(
    @Ctx() context: MemberContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    return findAccountsPage(context.em, context.databaseKind, { first: pageSize(first), after, learners: visibleAccounts(context) });
  }

  @Query(() => LearnerAccount, { nullable: true, description: 'A learner account by its global id (for the learner and the staff allowed to see it). An id that does not exist is refused like an account the caller may not read (FORBIDDEN), except to this member\'s own staff (null).' })
  learnerAccount(@Arg('id', () => ID) id: string, @Ctx() context: MemberContext): Promise<LearnerAccount | null> {
    const own = ownId(context, id);
    return readAccount(context, 'named', () => (own ? context.loaders.account.load(own) : Promise.resolve(null)));
  }

  @Query(() => Enrolment, { nullable: true, description: 'An enrolment by its global id (for the learner and the staff allowed to see it). An id that does not exist is refused like an enrolment the caller may not read (FORBIDDEN), except to this member\'s own staff (null).' })
  enrolment(@Arg('id', () => ID) id: string, @Ctx() context: MemberContext): Promise<Enrolment | null> {
    const own = ownId(context, id);
    return readEnrolment(context, 'named', () => (own ? context.loaders.enrolment.load(own) : Promise.resolve(null)));
  }

  @Query(() => Achievement, { nullable: true, description: 'An achievement by its global id (for the learner and the staff allowed to see it). An id that does not exist is refused like an achievement the caller may not read (FORBIDDEN), except to this member\'s own staff (null).' })
  achievement(@Arg('id', () => ID) id: string, @Ctx() context: MemberContext): Promise<Achievement | null> {
    const own = ownId(context, id);
    return readAchievement(context, 'named', () => (own ? context.loaders.achievement.load(own) : Promise.resolve(null)));
  }
}

@Resolver(() => Institution)
export class InstitutionResolver {
  @FieldResolver(() => QualityAssuranceArrangement, { description: 'Quality-assurance body and arrangement.' })
  qualityAssurance(@Root() institution: Institution): QualityAssuranceArrangement {
    return { body: institution.qaBody, arrangement: institution.qaArrangement };
  }

  @FieldResolver(() => Uptake, {
    nullable: true,
    description: "Uptake of the member's whole catalogue: counts only, small counts withheld (analysts, alliance administrators, the member's own staff).",
  })
  uptake(@Ctx() context: MemberContext): Promise<Uptake> {
    checkUptakeAccess(context);
    return context.loaders.uptake.load('*');
  }

  @FieldResolver(() => LearningOpportunityConnection, { description: "This member's offerings." })
  offerings(
    @Root() institution: Institution,
    @Ctx() context: MemberContext,
    // type-graphql prints arguments in reverse declaration order: this prints filter, orderBy, first, after.
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('orderBy', () => OfferingOrder, { nullable: true }) orderBy?: OfferingOrder | null,
    @Arg('filter', () => OfferingFilter, { nullable: true }) filter?: OfferingFilter | null,
  ) {
    return findOfferingsPage(context.em, context.databaseKind, institution.id, {
      filter: { ...filter, institutionIds: [institution.id] },
      orderBy,
      first: pageSize(first),
      after,
    });
  }
}

@Resolver(() => LearningOpportunity)
export class LearningOpportunityResolver {
  @FieldResolver(() => Institution, { description: 'The awarding member (Annex I element 4, awarding body).' })
  institution(@Ctx() context: MemberContext): Promise<Institution> {
    return required(context.loaders.institution.load(context.memberId), 'institution');
  }

  @FieldResolver(() => Uptake, {
    nullable: true,
    description: 'Uptake of this offering: counts only, small counts withheld (analysts, alliance administrators, the member\'s own staff).',
  })
  uptake(@Root() opportunity: LearningOpportunity, @Ctx() context: MemberContext): Promise<Uptake> {
    checkUptakeAccess(context);
    return context.loaders.uptake.load(opportunity.id);
  }

  @FieldResolver(() => AchievementConnection, {
    nullable: true,
    description: "The offering's assessed achievements (its cohort) ordered by id, one page at a time: for the member's own staff, e.g. to issue the cohort's credentials.",
  })
  cohort(
    @Root() opportunity: LearningOpportunity,
    @Ctx() context: MemberContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('passed', () => Boolean, { nullable: true, description: 'Only passed (true) or failed (false) assessments.' }) passed?: boolean | null,
  ) {
    checkCohortAccess(context);
    return findCohortPage(context.em, context.databaseKind, { opportunityId: opportunity.id, passed: passed ?? null, first: pageSize(first), after });
  }

  @FieldResolver(() => [String], { description: 'Country or countries of the awarding body (Annex I element 3), ISO 3166-1 alpha-2.' })
  async countries(@Ctx() context: MemberContext): Promise<string[]> {
    const institution = await required(context.loaders.institution.load(context.memberId), 'institution');
    return [institution.country];
  }

  @FieldResolver(() => [LearningOutcome], { description: 'Learning outcomes (Annex I element 6), each linked to an ESCO skill.' })
  learningOutcomes(@Root() opportunity: LearningOpportunity, @Ctx() context: MemberContext): Promise<LearningOutcome[]> {
    return context.loaders.outcomesByOpportunity.load(opportunity.id);
  }

  @FieldResolver(() => QfEheaCycle, { nullable: true, description: 'QF-EHEA cycle matching the EQF level, if any.' })
  cycle(@Root() opportunity: LearningOpportunity): QfEheaCycle | null {
    return cycleOfEqfLevel(opportunity.eqfLevel);
  }

  @FieldResolver(() => [Int], { description: 'UN Sustainable Development Goals addressed (1–17).' })
  sdgs(@Root() opportunity: LearningOpportunity): number[] {
    return opportunity.sdgList ? opportunity.sdgList.split(',').map(Number) : [];
  }

  @FieldResolver(() => [String], { description: 'Languages of instruction (ISO 639-1).' })
  languages(@Root() opportunity: LearningOpportunity): string[] {
    return opportunity.languageList ? opportunity.languageList.split(',') : [];
  }

  @FieldResolver(() => ExternalAccreditation, {
    nullable: true,
    description: 'External accreditation record, where one exists (required for credit-bearing offerings of members without authority).',
  })
  externalAccreditation(@Root() opportunity: LearningOpportunity): ExternalAccreditation | null {
    if (!opportunity.accreditationReference || !opportunity.accreditationBody || !opportunity.accreditationDecidedOn) return null;
    return {
      reference: opportunity.accreditationReference,
      body: opportunity.accreditationBody,
      decidedOn: opportunity.accreditationDecidedOn,
      validUntil: opportunity.accreditationValidUntil ?? null,
      url: opportunity.accreditationUrl ?? null,
    };
  }
}

@Resolver(() => LearningOutcome)
export class LearningOutcomeResolver {
  @FieldResolver(() => Skill, { nullable: true, description: 'The ESCO skill this outcome develops.' })
  skill(@Root() outcome: LearningOutcome): Skill {
    return { uri: outcome.skillUri };
  }
}

@Resolver(() => LearnerAccount)
export class LearnerAccountResolver {
  @FieldResolver(() => Institution)
  institution(@Ctx() context: MemberContext): Promise<Institution> {
    return required(context.loaders.institution.load(context.memberId), 'institution');
  }

  @FieldResolver(() => Learner, { nullable: true, description: 'The alliance learner this account belongs to, when linked.' })
  learner(@Root() account: LearnerAccount): Learner | null {
    return account.allianceLearnerId ? { id: account.allianceLearnerId } : null;
  }

  @FieldResolver(() => [Enrolment])
  async enrolments(
    @Root() account: LearnerAccount,
    @Ctx() context: MemberContext,
    @Arg('status', () => EnrolmentStatus, { nullable: true }) status?: EnrolmentStatus | null,
  ): Promise<Enrolment[]> {
    checkRecord(context, account.allianceLearnerId, 'enrolments');
    const all = await context.loaders.enrolmentsByAccount.load(account.id);
    return status ? all.filter((enrolment) => enrolment.status === status) : all;
  }

  @FieldResolver(() => [Achievement], { description: 'Assessed achievements, oldest first.' })
  async achievements(
    @Root() account: LearnerAccount,
    @Ctx() context: MemberContext,
    @Arg('passed', () => Boolean, { nullable: true, description: 'Only passed (true) or failed (false) assessments.' })
    passed?: boolean | null,
  ): Promise<Achievement[]> {
    checkRecord(context, account.allianceLearnerId, 'achievements');
    const all = await context.loaders.achievementsByAccount.load(account.id);
    return passed === null || passed === undefined ? all : all.filter((achievement) => achievement.passed === passed);
  }
}

@Resolver(() => Enrolment)
export class EnrolmentResolver {
  @FieldResolver(() => LearnerAccount)
  learnerAccount(@Root() enrolment: Enrolment, @Ctx() context: MemberContext): Promise<LearnerAccount> {
    return required(readAccount(context, 'referenced', () => context.loaders.account.load(enrolment.account.id)), 'learner account');
  }

  @FieldResolver(() => LearningOpportunity)
  opportunity(@Root() enrolment: Enrolment, @Ctx() context: MemberContext): Promise<LearningOpportunity> {
    return required(context.loaders.opportunity.load(enrolment.opportunity.id), 'opportunity');
  }

  @FieldResolver(() => Achievement, { nullable: true, description: 'The assessed result, once there is one.' })
  achievement(@Root() enrolment: Enrolment, @Ctx() context: MemberContext): Promise<Achievement | null> {
    return readAchievement(context, 'referenced', () => context.loaders.achievementByEnrolment.load(enrolment.id));
  }
}

@Resolver(() => Achievement)
export class AchievementResolver {
  @FieldResolver(() => LearnerAccount)
  learnerAccount(@Root() achievement: Achievement, @Ctx() context: MemberContext): Promise<LearnerAccount> {
    return required(readAccount(context, 'referenced', () => context.loaders.account.load(achievement.account.id)), 'learner account');
  }

  @FieldResolver(() => LearningOpportunity)
  opportunity(@Root() achievement: Achievement, @Ctx() context: MemberContext): Promise<LearningOpportunity> {
    return required(context.loaders.opportunity.load(achievement.opportunity.id), 'opportunity');
  }

  @FieldResolver(() => Enrolment, { nullable: true })
  enrolment(@Root() achievement: Achievement, @Ctx() context: MemberContext): Promise<Enrolment | null> {
    const link = achievement.enrolment;
    return readEnrolment(context, 'referenced', () => (link ? context.loaders.enrolment.load(link.id) : Promise.resolve(null)));
  }

  @FieldResolver(() => GradingScheme)
  gradingScheme(@Root() achievement: Achievement): GradingScheme {
    const scheme = gradingScheme(achievement.gradingSchemeCode);
    return { code: scheme.code, description: scheme.description };
  }

  @FieldResolver(() => [AcquiredSkill], { description: 'ESCO skills shown in the assessment, with the level reached.' })
  acquiredSkills(@Root() achievement: Achievement, @Ctx() context: MemberContext): Promise<AcquiredSkill[]> {
    return context.loaders.skillsByAchievement.load(achievement.id);
  }
}

@Resolver(() => AcquiredSkill)
export class AcquiredSkillResolver {
  @FieldResolver(() => Skill, { nullable: true })
  skill(@Root() acquired: AcquiredSkill): Skill {
    return { uri: acquired.skillUri };
  }
}

export const memberResolvers = [
  MemberQueryResolver,
  ...enrolmentResolvers,
  StatisticsResolver,
  CurationResolver,
  InstitutionResolver,
  LearningOpportunityResolver,
  LearningOutcomeResolver,
  LearnerAccountResolver,
  EnrolmentResolver,
  AchievementResolver,
  AcquiredSkillResolver,
] as const;
