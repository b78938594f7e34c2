// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Ctx, Directive, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { isOwnStaff } from './access.js';
import type { MemberContext } from './context.js';
import { AchievementCuration, CorrectAchievementInput, CorrectEnrolmentInput, EnrolmentCuration, RecordAchievementInput, RecordEnrolmentInput } from './curation-inputs.js';
import { correctAchievement, correctEnrolment, recordAchievement, recordEnrolment } from './curation.js';
import { AchievementCorrection } from './model.js';

@ObjectType({ description: 'A correction of an achievement: its id and the revision it made.' })
export class AchievementCorrectionEvent {
  @Field(() => ID)
  achievementId!: string;

  @Field(() => Int)
  revision!: number;

  @Field(() => DateTimeISOResolver)
  correctedAt!: Date;
}

const MAX_CORRECTIONS = 1_000;

@Resolver()
export class CurationResolver {
  @Mutation(() => EnrolmentCuration, { description: "Records an enrolment under your local id (this member's staff): the same id and facts again change nothing; other facts under an existing id are INVALID_STATE (correct it instead). Audited." })
  recordEnrolment(@Arg('input', () => RecordEnrolmentInput) input: RecordEnrolmentInput, @Ctx() context: MemberContext): Promise<EnrolmentCuration> {
    return recordEnrolment(context, input);
  }

  @Mutation(() => EnrolmentCuration, { description: "Changes an enrolment's status, with the reason the learner sees (this member's staff). An enrolment with an assessed result stays COMPLETED. Audited." })
  correctEnrolment(@Arg('id', () => ID) id: string, @Arg('input', () => CorrectEnrolmentInput) input: CorrectEnrolmentInput, @Ctx() context: MemberContext): Promise<EnrolmentCuration> {
    return correctEnrolment(context, id, input);
  }

  @Mutation(() => AchievementCuration, {
    description: "Records the assessed result of an enrolment (this member's staff): grade in its scheme, pass, ECTS (never more than the offering carries, none when failed or not credit-bearing), skills at the level reached. The enrolment becomes COMPLETED. The same result again changes nothing. Audited.",
  })
  recordAchievement(@Arg('input', () => RecordAchievementInput) input: RecordAchievementInput, @Ctx() context: MemberContext): Promise<AchievementCuration> {
    return recordAchievement(context, input);
  }

  @Mutation(() => AchievementCuration, {
    description:
      "Corrects an assessed result (this member's staff), with the reason: its revision goes up, the change is audited (before and after), and credentials issued for the earlier facts are suspended pending re-issue by the issuance service (`credentials` says so). The same facts again change nothing.",
  })
  correctAchievement(@Arg('id', () => ID) id: string, @Arg('input', () => CorrectAchievementInput) input: CorrectAchievementInput, @Ctx() context: MemberContext): Promise<AchievementCuration> {
    return correctAchievement(context, id, input);
  }

  @Directive('@inaccessible')
  @Query(() => [AchievementCorrectionEvent], {
    nullable: true,
    description: "Corrections of achievements since a moment, oldest first (at most 1,000), for the issuance service (alliance administrators' identity) and this member's staff.",
  })
  async achievementCorrections(@Arg('since', () => DateTimeISOResolver) since: Date, @Ctx() context: MemberContext): Promise<AchievementCorrectionEvent[]> {
    const caller = requireSignedIn(context.principal, 'corrections');
    if (!isOwnStaff(context) && !hasRole(caller, 'alliance-admin')) throw forbidden('Corrections are for the issuance service and the member\'s own staff.');
    if (Number.isNaN(since.getTime())) throw badUserInput('"since" must be a date-time.', 'since');
    const rows = await context.em.find(AchievementCorrection, { correctedAt: { $gte: since } }, { orderBy: { correctedAt: 'asc', id: 'asc' }, limit: MAX_CORRECTIONS });
    return rows.map((row) => ({ achievementId: row.achievementId, revision: row.revision, correctedAt: row.correctedAt }));
  }
}
