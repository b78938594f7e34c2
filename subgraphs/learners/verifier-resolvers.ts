// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { checkedText } from '../../lib/errors.js';
import { connectionType } from '../../lib/graphql-types.js';
import { pageInIdOrder } from '../../lib/orm.js';
import { buildPage, decodeCursor, encodeCursor, pageSize, type Page } from '../../lib/pagination.js';
import { audit } from './audit.js';
import type { LearnersContext } from './context.js';
import { ConsentScope } from './enums.js';
import { AccessEvent, ConsentGrant, Institution, Learner, RegisteredVerifier, type LearnerViaGrant } from './model.js';
import { checkedVerifierId, grantsToCaller, grantToCaller, learnerViaGrant, notRegistered, openGrant, registrationState, requireAdministrator } from './verifiers.js';

/* The graph's side of verifiers: the register (administrators), what learners share with a verifier, and the learner's access log. */

export const RegisteredVerifierConnection = connectionType(RegisteredVerifier, 'RegisteredVerifier');
export const AccessEventConnection = connectionType(AccessEvent, 'AccessEvent');

@InputType({ description: 'A verifier organisation to register.' })
export class RegisterVerifierInput {
  @Field(() => String, { description: 'Its id exactly as the identity provider puts it in `eciu_verifier`: https://…, did:… or mailto:… (8–500 characters).' })
  id!: string;

  @Field(() => String, { description: 'Its name, shown to learners in their access log (2–200 characters).' })
  name!: string;
}

/** The access log is shown newest first; its cursor holds the entry's sequence number. */
const ACCESS_LOG_ORDER = { order: 'NEWEST', shape: [{ integerFrom: 1, to: Number.MAX_SAFE_INTEGER }] };

async function accessLogPage(context: LearnersContext, learnerId: string, first: number, after: string | null | undefined): Promise<Page<AccessEvent>> {
  const before = after ? (decodeCursor(after, ACCESS_LOG_ORDER.order, ACCESS_LOG_ORDER.shape)[0] as number) : undefined;
  const [rows, total] = await Promise.all([
    context.em.find(AccessEvent, { learner: learnerId, ...(before ? { seq: { $lt: before } } : {}) }, { orderBy: { seq: 'desc' }, limit: first + 1 }),
    context.em.count(AccessEvent, { learner: learnerId }),
  ]);
  return buildPage(rows, first, total, (row) => encodeCursor(ACCESS_LOG_ORDER.order, [row.seq]), after);
}

@Resolver(() => RegisteredVerifier)
export class VerifierRegisterResolver {
  @Mutation(() => RegisteredVerifier, {
    description:
      'Registers a verifier organisation, or renames one and lifts its withdrawal (alliance administrators). Idempotent by its id: sending it again changes nothing. Learners\' grants to it open records only while it is registered.',
  })
  async registerVerifier(@Arg('input', () => RegisterVerifierInput) input: RegisterVerifierInput, @Ctx() context: LearnersContext): Promise<RegisteredVerifier> {
    const admin = requireAdministrator(context, 'the verifier register');
    const id = checkedVerifierId(input.id, 'input.id');
    const name = checkedText(input.name, 'input.name', 2, 200) as string;
    const existing = await context.em.findOne(RegisteredVerifier, { id });
    if (existing) {
      if (existing.name === name && !existing.withdrawnAt) return existing;
      const before = registrationState(existing);
      Object.assign(existing, { name, withdrawnAt: null, withdrawalReason: null });
      audit(context.em, context.principal, 'REGISTER_VERIFIER', id, { before, after: registrationState(existing) });
      await context.em.flush();
      return existing;
    }
    const verifier = context.em.create(RegisteredVerifier, { id, name, registeredAt: new Date(), registeredBy: admin.subject, withdrawnAt: null, withdrawalReason: null } as never);
    audit(context.em, context.principal, 'REGISTER_VERIFIER', id, { after: registrationState(verifier) });
    await context.em.persistAndFlush(verifier);
    return verifier;
  }

  @Mutation(() => RegisteredVerifier, {
    description: "Withdraws a verifier's registration (alliance administrators): from the next request, grants to it open nothing. Withdrawing it again changes nothing.",
  })
  async withdrawVerifier(
    @Arg('id', () => String) id: string,
    @Arg('reason', () => String, { description: 'Why (3–500 characters), for the audit trail.' }) reason: string,
    @Ctx() context: LearnersContext,
  ): Promise<RegisteredVerifier> {
    requireAdministrator(context, 'the verifier register');
    const why = checkedText(reason, 'reason', 3, 500) as string;
    const verifier = await context.em.findOne(RegisteredVerifier, { id: checkedVerifierId(id, 'id') });
    if (!verifier) throw notRegistered();
    if (verifier.withdrawnAt) return verifier;
    const before = registrationState(verifier);
    Object.assign(verifier, { withdrawnAt: new Date(), withdrawalReason: why });
    audit(context.em, context.principal, 'WITHDRAW_VERIFIER', verifier.id, { before, after: registrationState(verifier) });
    await context.em.flush();
    return verifier;
  }

  @Query(() => RegisteredVerifierConnection, { nullable: true, description: 'The register of verifier organisations, ordered by id (alliance administrators).' })
  registeredVerifiers(
    @Ctx() context: LearnersContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    requireAdministrator(context, 'the verifier register');
    return pageInIdOrder(context.em, context.databaseKind, context.em.getKnex()('registered_verifier as v'), { alias: 'v', entity: RegisteredVerifier, first: pageSize(first), after: after ?? null });
  }

  @FieldResolver(() => Boolean, { description: 'Registered and not withdrawn: grants to it open records.' })
  active(@Root() verifier: RegisteredVerifier): boolean {
    return !verifier.withdrawnAt;
  }
}

@Resolver(() => ConsentGrant)
export class SharedWithVerifierResolver {
  @Query(() => [ConsentGrant], {
    nullable: true,
    description:
      "The grants in force that learners made to you (a registered verifier), newest first: each one's purpose, scopes, members and expiry, and through `learner` what it shares. Every read of records through a grant is written to the learner's access log.",
  })
  grantsToMe(@Ctx() context: LearnersContext): Promise<ConsentGrant[]> {
    return grantsToCaller(context);
  }

  @Query(() => ConsentGrant, {
    nullable: true,
    description: 'One grant in force to you (a registered verifier). An id that is unknown, not to you, expired or revoked is refused alike (FORBIDDEN).',
  })
  grantToMe(@Arg('id', () => ID) id: string, @Ctx() context: LearnersContext): Promise<ConsentGrant> {
    return grantToCaller(context, id);
  }

  @FieldResolver(() => Learner, {
    nullable: true,
    description:
      "The learner who made the grant. For the verifier it names, `learner { achievements enrolments }` holds exactly what the grant shares, while it is in force; the learner sees it in their access log.",
  })
  learner(@Root() grant: ConsentGrant, @Ctx() context: LearnersContext): Promise<Learner | null> | null {
    const principal = requireSignedIn(context.principal, 'sharing grants');
    if (hasRole(principal, 'learner') && principal.learnerId === grant.learner.id) return context.loaders.learner.load(grant.learner.id);
    if (principal.kind === 'user' && openGrant(context, { id: grant.learner.id, viaGrant: grant } as LearnerViaGrant)) return learnerViaGrant(context, grant);
    return null;
  }
}

@Resolver(() => AccessEvent)
export class AccessEventResolver {
  @FieldResolver(() => [ConsentScope], { description: 'Which kinds of record were open to them.' })
  scopes(@Root() event: AccessEvent): ConsentScope[] {
    return event.scopeList.split(',').filter(Boolean) as ConsentScope[];
  }

  @FieldResolver(() => [Institution], { description: 'Whose records were open; empty: every member where you have an account.' })
  sourceMembers(@Root() event: AccessEvent): Institution[] {
    return event.sourceMemberList ? event.sourceMemberList.split(',').map((id) => ({ id })) : [];
  }
}

@Resolver(() => Learner)
export class AccessLogResolver {
  @FieldResolver(() => AccessEventConnection, {
    nullable: true,
    description: "Who looked at your records under your grants (verifiers, and other members' staff), newest first (the learner only).",
  })
  accessLog(
    @Root() learner: Learner,
    @Ctx() context: LearnersContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    const principal = requireSignedIn(context.principal, 'your access log');
    if (!hasRole(principal, 'learner') || principal.learnerId !== learner.id) throw forbidden('Only the learner sees who looked at their records.');
    return accessLogPage(context, learner.id, pageSize(first), after);
  }
}

export const verifierResolvers = [VerifierRegisterResolver, SharedWithVerifierResolver, AccessEventResolver, AccessLogResolver] as const;
