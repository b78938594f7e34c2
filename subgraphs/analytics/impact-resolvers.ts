// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { requireSignedIn } from '../../lib/access.js';
import { StatisticsDimension } from '../member/statistics.js';
import type { AnalyticsContext } from './context.js';
import { multiMemberLearners } from './mobility.js';
import { currentOutcomes } from './outcomes.js';
import { CountTable, countTableView } from './outcomes-resolvers.js';
import type { PublishedCounts } from './publication.js';
import { currentPublication } from './statistics.js';
import { readerScope } from './statistics-resolvers.js';

/*
 * Skills gained and the impact indicators (docs/analytics.md, "Skills" and
 * "Impact"): read from the same publications as every other table, so they
 * agree with them and reveal nothing the tables do not. An indicator that
 * combines figures is computed only from published ones.
 */

@ObjectType({ description: 'A level-1 group of the ESCO skills hierarchy, a column of the skills table.' })
export class SkillGroupColumn {
  @Field(() => String, { description: 'Its code: S1–S8, T1–T6, L1–L2, an ISCED-F broad field ("06"), or "unknown" (not in the ESCO data the hub holds).' })
  code!: string;

  @Field(() => String)
  label!: string;
}

@ObjectType({ description: 'Passed assessments across the alliance that showed one ESCO skill.' })
export class SkillAwardFigure {
  @Field(() => String, { description: 'The ESCO skill URI.' })
  uri!: string;

  @Field(() => String, { nullable: true, description: 'Its preferred English label; null when the ESCO service did not answer.' })
  label!: string | null;

  @Field(() => String, { description: 'The level-1 group it is counted under (the first by code when it sits under several).' })
  group!: string;

  @Field(() => Int, { nullable: true, description: 'Awards; null: withheld.' })
  awards!: number | null;
}

@ObjectType({ description: 'Skill awards of the skills in one ESCO collection.' })
export class SkillCollectionFigure {
  @Field(() => String, { description: 'GREEN, DIGITAL, TRANSVERSAL, DIGCOMP, LANGUAGE or RESEARCH.' })
  collection!: string;

  @Field(() => Int, { nullable: true, description: 'Awards; null: withheld. A skill in two collections counts in both.' })
  awards!: number | null;
}

@ObjectType({ description: 'ESCO skills gained across the alliance: skill awards (a passed assessment that showed a skill), published with k-anonymity and complementary suppression.' })
export class SkillStatistics {
  @Field(() => Int)
  k!: number;

  @Field(() => DateTimeISOResolver)
  publishedAt!: Date;

  @Field(() => CountTable, { description: 'Skill awards by member and level-1 skills group (columns: the group codes).' })
  byGroup!: CountTable;

  @Field(() => [SkillGroupColumn], { description: 'The groups of `byGroup`, in column order.' })
  groups!: SkillGroupColumn[];

  @Field(() => [SkillAwardFigure], { description: 'The alliance-wide awards per skill, most first (withheld ones last, by URI).' })
  skills!: SkillAwardFigure[];

  @Field(() => [SkillCollectionFigure])
  collections!: SkillCollectionFigure[];

  @Field(() => Boolean, { description: 'The ESCO service did not answer: every skill is in group "unknown" and has no label.' })
  escoUnavailable!: boolean;
}

@ObjectType({ description: 'The active citizen (ECIU white paper): learning on the UN Sustainable Development Goals through challenges.' })
export class ActiveCitizenIndicators {
  @Field(() => Int, { nullable: true, description: 'Enrolments in challenge-based offerings on at least one SDG.' })
  sdgChallengeEnrolments!: number | null;

  @Field(() => Int, { nullable: true, description: 'Passed assessments of those challenges.' })
  sdgChallengePassed!: number | null;

  @Field(() => Float, { nullable: true, description: 'sdgChallengeEnrolments ÷ all enrolments, two decimals.' })
  shareOfEnrolments!: number | null;
}

@ObjectType({ description: 'The empowered learner: learning stacked into larger credentials and taken at several members.' })
export class EmpoweredLearnerIndicators {
  @Field(() => Int, { nullable: true, description: 'Pathway completions: stacked credentials issued for completed pathways (credentials of kind PATHWAY).' })
  stackedCredentials!: number | null;

  @Field(() => Int, { nullable: true, description: 'Learners studying at two or more members.' })
  multiMemberLearners!: number | null;

  @Field(() => Float, { nullable: true, description: 'multiMemberLearners ÷ learners in the register, two decimals.' })
  shareOfLearners!: number | null;
}

@ObjectType({ description: 'The thriving earner: skills gained that the labour market asks for, by the ESCO collections of the twin transition and of transversal skills.' })
export class ThrivingEarnerIndicators {
  @Field(() => Int, { nullable: true, description: 'Skill awards (passed assessments × skills they showed).' })
  skillAwards!: number | null;

  @Field(() => Int, { nullable: true, description: 'Awards of skills in the ESCO green skills collection.' })
  greenSkillAwards!: number | null;

  @Field(() => Int, { nullable: true, description: 'Awards of skills in the ESCO digital skills collection.' })
  digitalSkillAwards!: number | null;

  @Field(() => Int, { nullable: true, description: 'Awards of skills in the ESCO transversal skills collection.' })
  transversalSkillAwards!: number | null;
}

@ObjectType({ description: "Impact indicators along the three roles of the ECIU white paper (docs/analytics.md, \"Impact\"), from the published tables only. Null: a figure they are made of is withheld." })
export class ImpactIndicators {
  @Field(() => Int)
  k!: number;

  @Field(() => DateTimeISOResolver)
  publishedAt!: Date;

  @Field(() => ActiveCitizenIndicators)
  activeCitizen!: ActiveCitizenIndicators;

  @Field(() => EmpoweredLearnerIndicators)
  empoweredLearner!: EmpoweredLearnerIndicators;

  @Field(() => ThrivingEarnerIndicators)
  thrivingEarner!: ThrivingEarnerIndicators;

  @Field(() => [String], { description: 'Sources that did not answer when the figures were published ("issuance", "esco"): their indicators are null for that reason, not withheld.' })
  unavailableSources!: string[];
}

function share(part: number | null, whole: number | null): number | null {
  return part === null || whole === null || whole === 0 ? null : Math.round((part / whole) * 100) / 100;
}

@Resolver()
export class ImpactQueryResolver {
  @Query(() => SkillStatistics, {
    nullable: true,
    description: "ESCO skills gained across the alliance: awards by member and skills group, per skill and per ESCO collection (analysts and alliance administrators; a member's staff: their own member's row and the alliance figures).",
  })
  async skillStatistics(
    @Ctx() context: AnalyticsContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many skills to list, most awarded first (1–500).' }) first: number,
  ): Promise<SkillStatistics> {
    const onlyMember = readerScope(requireSignedIn(context.principal, 'skill statistics'), 'Skill statistics');
    if (!Number.isInteger(first) || first < 1 || first > 500) throw badUserInput('"first" must be between 1 and 500.', 'first');
    const publication = await currentPublication(context.service);
    const { skills } = publication;
    return {
      k: publication.k,
      publishedAt: publication.at,
      byGroup: countTableView(skills.byGroup, onlyMember),
      groups: skills.byGroup.columns.map((code, c) => ({ code, label: skills.groupLabels[c] ?? code })),
      skills: skills.skills.slice(0, first),
      collections: skills.collections,
      escoUnavailable: skills.escoUnavailable,
    };
  }

  @Query(() => ImpactIndicators, {
    nullable: true,
    description: "Impact indicators of the three roles of the ECIU white paper - active citizen, empowered learner, thriving earner - for the whole alliance (analysts, alliance administrators and members' staff), from the published tables.",
  })
  async impactIndicators(@Ctx() context: AnalyticsContext): Promise<ImpactIndicators> {
    readerScope(requireSignedIn(context.principal, 'impact indicators'), 'Impact indicators');
    const [publication, outcomes] = await Promise.all([currentPublication(context.service), currentOutcomes(context.service)]);
    const challenges = publication.byDimension.get(StatisticsDimension.SDG_CHALLENGE);
    const yes = challenges ? challenges.columns.indexOf('yes') : -1;
    const sdgChallenges: PublishedCounts = yes >= 0 && challenges ? (challenges.columnTotals[yes] as PublishedCounts) : { enrolments: 0, completions: 0, passed: 0, ectsAwarded: 0 };
    const pathway = outcomes.issuedByKind.columns.indexOf('PATHWAY');
    // No PATHWAY column: none issued (a published zero); unavailable issuance: unknown.
    const stacked = outcomes.unavailable.includes('issuance') ? null : pathway >= 0 ? (outcomes.issuedByKind.columnTotals[pathway] ?? null) : 0;
    const multi = multiMemberLearners(publication.mobility);
    const collection = (name: string) => publication.skills.collections.find((figure) => figure.collection === name)?.awards ?? (publication.skills.escoUnavailable ? null : 0);
    return {
      k: publication.k,
      publishedAt: publication.at,
      activeCitizen: {
        sdgChallengeEnrolments: sdgChallenges.enrolments,
        sdgChallengePassed: sdgChallenges.passed,
        shareOfEnrolments: share(sdgChallenges.enrolments, publication.byMember.total.enrolments),
      },
      empoweredLearner: { stackedCredentials: stacked, multiMemberLearners: multi, shareOfLearners: share(multi, publication.mobility.learners) },
      thrivingEarner: {
        skillAwards: publication.skills.byGroup.total,
        greenSkillAwards: collection('GREEN'),
        digitalSkillAwards: collection('DIGITAL'),
        transversalSkillAwards: collection('TRANSVERSAL'),
      },
      unavailableSources: [
        ...(outcomes.unavailable.includes('issuance') ? ['issuance'] : []),
        ...(publication.skills.escoUnavailable ? ['esco'] : []),
      ],
    };
  }
}
