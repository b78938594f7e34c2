// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn, signInRequired } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { isLearnerId, UUID_PATTERN } from '../../lib/ids.js';
import { connectionType } from '../../lib/graphql-types.js';
import { pageInIdOrder } from '../../lib/orm.js';
import { pageSize, type Page } from '../../lib/pagination.js';
import { grantScopes, grantSourceMembers, grantStatus, newGrant, revocationReason } from './consent.js';
import { readLearner, visibleLinks } from './access.js';
import { audit } from './audit.js';
import type { LearnersContext } from './context.js';
import { ConsentGrantStatus, ConsentScope } from './enums.js';
import { GrantConsentInput } from './inputs.js';
import { CallerSharing, ConsentGrant, Institution, Learner, LearnerAccount, Verifier, type LearnerViaGrant } from './model.js';
import { sharingForCaller } from './verifiers.js';

export const LearnerConnection = connectionType(Learner, 'Learner');


/** Alliance learner ids are short opaque tokens; anything else is refused before it reaches SQL. */
export function requireLearnerId(id: string, argument = 'id'): string {
  if (!isLearnerId(id)) {
    throw badUserInput(`"${argument}" must be an alliance learner id: 3–64 letters, digits, ".", "_" or "-", e.g. "eciu-4k7q2m9x8c1z".`, argument);
  }
  return id;
}

function findLearnersPage(context: LearnersContext, first: number, after: string | null | undefined): Promise<Page<Learner>> {
  return pageInIdOrder(context.em, context.databaseKind, context.em.getKnex()('learner as l'), { alias: 'l', entity: Learner, first, after: after ?? null });
}

/** The signed-in learner acting on their own grants. */
function actingLearner(context: LearnersContext): string {
  const principal = requireSignedIn(context.principal, 'your sharing grants');
  if (!hasRole(principal, 'learner') || !principal.learnerId) throw forbidden('Only a learner can grant or revoke access to their own records.');
  return principal.learnerId;
}

@Resolver(() => Learner)
export class LearnerResolver {
  @Query(() => Learner, {
    nullable: true,
    description: 'An alliance learner by their alliance id (for the learner, alliance administrators, and staff of members the learner studies at or shares with).',
  })
  learner(@Arg('id', () => ID) id: string, @Ctx() context: LearnersContext): Promise<Learner | null> {
    if (context.principal.kind !== 'user') throw signInRequired('learner profiles');
    return readLearner(context, requireLearnerId(id), 'named');
  }

  @Query(() => LearnerConnection, { nullable: true, description: 'All alliance learners ordered by id, one page at a time (alliance administrators only).' })
  learners(
    @Ctx() context: LearnersContext,
    // type-graphql prints arguments in reverse declaration order.
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    const principal = requireSignedIn(context.principal, 'the learner register');
    if (!hasRole(principal, 'alliance-admin')) throw forbidden('Only alliance administrators may list the learner register.');
    return findLearnersPage(context, pageSize(first), after);
  }

  @FieldResolver(() => [ID], { description: "Global ids of the learner's accounts at members the caller may know of (the router uses them to ask only those members): all of them for the learner and administrators; for a member's staff their own member's and those the learner's valid grants to it share." })
  async memberAccountIds(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<string[]> {
    return (await visibleLinks(context, learner)).map((link) => link.accountId);
  }

  // Items are nullable: an account is resolved by its member, and a member that cannot answer must not null the learner.
  @FieldResolver(() => [LearnerAccount], {
    nullable: 'items',
    description: "The learner's accounts at members the caller may know of (as `memberAccountIds`); an account is null while its member cannot answer (the response then carries an error naming the member).",
  })
  async memberAccounts(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<(LearnerAccount | null)[]> {
    return (await visibleLinks(context, learner)).map((link) => ({ id: link.accountId }));
  }

  @FieldResolver(() => [Institution], { nullable: 'items', description: 'The members where the learner has an account, as far as the caller may know (as `memberAccountIds`; null while a member cannot answer).' })
  async members(@Root() learner: Learner, @Ctx() context: LearnersContext): Promise<(Institution | null)[]> {
    return [...new Set((await visibleLinks(context, learner)).map((link) => link.memberId))].map((id) => ({ id }));
  }

  @FieldResolver(() => [ConsentGrant], {
    nullable: true,
    description: "The learner's sharing grants, newest first (the learner only). Without `status`: all of them, revoked and expired ones included.",
  })
  async consentGrants(
    @Root() learner: Learner,
    @Ctx() context: LearnersContext,
    @Arg('status', () => ConsentGrantStatus, { nullable: true, description: 'Only the grants with this status; all of them (revoked and expired included) when omitted.' }) status?: ConsentGrantStatus | null,
  ): Promise<ConsentGrant[]> {
    const principal = requireSignedIn(context.principal, 'sharing grants');
    if (!hasRole(principal, 'learner') || principal.learnerId !== learner.id) throw forbidden('Only the learner sees their sharing grants.');
    const grants = await context.loaders.grantsByLearner.load(learner.id);
    const now = new Date();
    return status ? grants.filter((grant) => grantStatus(grant, now) === status) : [...grants];
  }

  @Directive('@inaccessible')
  @FieldResolver(() => [CallerSharing], { description: "What the learner's valid grants share with the caller: another member's staff, or a verifier that reached the learner through its grant (internal: read by the member router; every grant used is logged)." })
  sharingWithCaller(@Root() learner: LearnerViaGrant, @Ctx() context: LearnersContext): Promise<CallerSharing[]> {
    // The router reads this right before it asks members for the records: each grant used goes into the learner's access log.
    return sharingForCaller(context, learner);
  }
}

@Resolver(() => ConsentGrant)
export class ConsentGrantResolver {
  @Mutation(() => ConsentGrant, {
    description:
      "Shares your records with a member's staff or a named verifier, for a purpose, until an expiry (learners only). Members' staff see them only while the grant is active.",
  })
  async grantConsent(@Arg('input', () => GrantConsentInput) input: GrantConsentInput, @Ctx() context: LearnersContext): Promise<ConsentGrant> {
    const learnerId = actingLearner(context);
    const learner = await context.loaders.learner.load(learnerId);
    if (!learner) throw new GraphQLError('Your alliance learner id is not in the learner register.', { extensions: { code: 'NOT_FOUND' } });
    const [links, grants] = await Promise.all([context.loaders.linksByLearner.load(learnerId), context.loaders.activeGrantsByLearner.load(learnerId)]);
    const now = new Date();
    const fields = newGrant(input, {
      learnerId,
      learnerMembers: new Set(links.map((link) => link.memberId)),
      knownMembers: context.knownMembers,
      activeGrants: grants.filter((grant) => grantStatus(grant, now) === ConsentGrantStatus.ACTIVE).length,
      now,
    });
    const grant = context.em.create(ConsentGrant, { ...fields, learner: context.em.getReference(Learner, learnerId) } as never);
    audit(context.em, context.principal, 'GRANT_CONSENT', grant.id, { learnerId, after: { ...fields, expiresAt: fields.expiresAt.toISOString(), grantedAt: fields.grantedAt.toISOString() } });
    await context.em.persistAndFlush(grant);
    return grant;
  }

  @Mutation(() => ConsentGrant, {
    description: 'Revokes one of your grants at once (learners only); revoking a revoked grant changes nothing. The grant stays in your list as REVOKED.',
  })
  async revokeConsent(
    @Arg('id', () => ID) id: string,
    @Ctx() context: LearnersContext,
    @Arg('reason', () => String, { nullable: true, description: 'Why, for your own records (up to 500 characters).' }) reason?: string | null,
  ): Promise<ConsentGrant> {
    const learnerId = actingLearner(context);
    const why = revocationReason(reason);
    // Someone else's grant and no grant at all look the same: nobody learns which ids exist.
    const notFound = () => new GraphQLError('You have no sharing grant with this id.', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
    if (!UUID_PATTERN.test(id)) throw notFound();
    const grant = await context.em.findOne(ConsentGrant, { id, learner: learnerId });
    if (!grant) throw notFound();
    if (!grant.revokedAt) {
      grant.revokedAt = new Date();
      grant.revocationReason = why;
      audit(context.em, context.principal, 'REVOKE_CONSENT', grant.id, { learnerId, before: { revokedAt: null }, after: { revokedAt: grant.revokedAt.toISOString(), revocationReason: why } });
      await context.em.flush();
    }
    return grant;
  }

  @FieldResolver(() => Institution, { nullable: true, description: 'The member whose staff may read the records (granteeKind MEMBER).' })
  granteeMember(@Root() grant: ConsentGrant): Institution | null {
    return grant.granteeMemberId ? { id: grant.granteeMemberId } : null;
  }

  @FieldResolver(() => Verifier, { nullable: true, description: 'The named verifier (granteeKind VERIFIER).' })
  verifier(@Root() grant: ConsentGrant): Verifier | null {
    return grant.verifierName && grant.verifierId ? { name: grant.verifierName, id: grant.verifierId } : null;
  }

  @FieldResolver(() => [ConsentScope], { description: 'Which records it shares.' })
  scopes(@Root() grant: ConsentGrant): ConsentScope[] {
    return grantScopes(grant);
  }

  @FieldResolver(() => [Institution], { description: 'The members whose records are shared; empty: every member where the learner has an account.' })
  sourceMembers(@Root() grant: ConsentGrant): Institution[] {
    return grantSourceMembers(grant).map((id) => ({ id }));
  }

  @FieldResolver(() => ConsentGrantStatus, { description: 'ACTIVE until it is revoked or expires; members see the records only while it is.' })
  status(@Root() grant: ConsentGrant): ConsentGrantStatus {
    return grantStatus(grant);
  }
}
