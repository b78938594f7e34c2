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
import { OfferingCuration, OfferingInput } from './offering-inputs.js';
import { createOffering, updateOffering, withdrawOffering } from './offering-curation.js';

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
  @Mutation(() => OfferingCuration, {
    description:
      "Creates an offering under your local id (this member's staff), with every Annex I element, checked as the file import checks them: ECTS and hours that agree, and credit only on the member's authority or with an external accreditation record. The same id and offering again change nothing; other facts under an existing id are INVALID_STATE. Listed in the catalogue at once. Audited.",
  })
  createOffering(
    @Arg('localId', () => String, { description: 'Your id for it (1–64 letters, digits, ".", "_", "-"); its global id is "<member id>:<localId>".' }) localId: string,
    @Arg('input', () => OfferingInput) input: OfferingInput,
    @Ctx() context: MemberContext,
  ): Promise<OfferingCuration> {
    return createOffering(context, localId, input);
  }

  @Mutation(() => OfferingCuration, { description: "Replaces an offering with the one given (this member's staff; send every field, as it should be), with the same checks as createOffering. Learning outcomes are replaced as a list. Audited with before and after." })
  updateOffering(@Arg('id', () => ID) id: string, @Arg('input', () => OfferingInput) input: OfferingInput, @Ctx() context: MemberContext): Promise<OfferingCuration> {
    return updateOffering(context, id, input);
  }

  @Mutation(() => OfferingCuration, { description: "Withdraws an offering from the catalogue (this member's staff): no longer listed or open to applications; its enrolments and results stay. Withdrawing again changes nothing. Audited." })
  withdrawOffering(@Arg('id', () => ID) id: string, @Arg('reason', () => String, { description: 'Why (3–500 characters).' }) reason: string, @Ctx() context: MemberContext): Promise<OfferingCuration> {
    return withdrawOffering(context, id, reason);
  }

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
