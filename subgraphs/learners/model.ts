// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import type { Ref } from '@mikro-orm/core';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { ConsentPurpose, GranteeKind } from './enums.js';

/*
 * The central learner register: an alliance learner is a pseudonymous id
 * linked to the learner's accounts at members. It holds no name, e-mail or
 * record: those stay with the members that hold them.
 */

@Directive('@key(fields: "id")')
@ObjectType({ description: "An alliance learner: a pseudonymous alliance id linked to the learner's accounts at members." })
export class Learner {
  @Field(() => ID, { description: 'The pseudonymous alliance learner id, e.g. "eciu-4k7q2m9x8c1z".' })
  id!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the learner joined the alliance portal.' })
  createdAt!: Date;
}

/** A link from an alliance learner to one of their accounts at a member. */
export class LearnerAccountLink {
  id!: number;
  learner!: Ref<Learner>;
  memberId!: string;
  /** Global id of the account at the member, "<member id>:<local id>". */
  accountId!: string;
  linkedAt!: Date;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A learner's account at a member; resolved by the member that holds it." })
export class LearnerAccount {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An alliance member; resolved by the member itself.' })
export class Institution {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A verifier outside the alliance, named by the learner (e.g. an employer).' })
export class Verifier {
  @Field(() => String, { description: 'Its name, as the learner gave it.' })
  name!: string;

  @Field(() => String, { description: 'Its identifier: a web address (https://…), a DID (did:…) or an e-mail address (mailto:…).' })
  id!: string;
}

/**
 * A learner's grant to share records with a member (its staff) or a named
 * verifier, for a purpose, with a scope and an expiry. Grants are never
 * deleted: a revoked grant stays, with when and why, so the learner can see
 * what was shared and until when.
 */
@ObjectType({ description: "A learner's grant to share records with a member or a named verifier." })
export class ConsentGrant {
  @Field(() => ID)
  id!: string;

  learner!: Ref<Learner>;

  @Field(() => GranteeKind, { description: 'A member (its staff) or a named verifier.' })
  granteeKind!: GranteeKind;

  /** The member whose staff receive the records (granteeKind MEMBER). */
  granteeMemberId?: string | null;

  verifierName?: string | null;
  verifierId?: string | null;

  @Field(() => ConsentPurpose, { description: 'Why the learner shares.' })
  purpose!: ConsentPurpose;

  @Field(() => String, { nullable: true, description: 'The purpose in the learner\'s words (required for OTHER).' })
  purposeDescription?: string | null;

  /** Comma-separated ConsentScope values. */
  scopeList!: string;

  /** Comma-separated member ids whose records are shared; null: every member's. */
  sourceMemberList?: string | null;

  @Field(() => DateTimeISOResolver)
  grantedAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'The grant ends at this instant.' })
  expiresAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the learner revoked it; null: not revoked.' })
  revokedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the learner revoked it, if they said.' })
  revocationReason?: string | null;
}

/** A learner as reached through a verifier's grant: what that grant opens is read from it. */
export type LearnerViaGrant = Learner & { viaGrant?: ConsentGrant };

/**
 * What the caller's member may read of a learner's records under the learner's
 * valid grants. Internal: the member router reads it through `@requires`
 * to tell each member which records it may show; clients never see it.
 */
@Directive('@inaccessible')
@ObjectType()
export class CallerSharing {
  @Directive('@shareable')
  @Field(() => [String])
  scopes!: string[];

  @Directive('@shareable')
  @Field(() => [ID], { description: 'Members whose records are shared; empty: every member.' })
  memberIds!: string[];
}

/**
 * A verifier organisation registered by an alliance administrator: only a
 * registered verifier that has not been withdrawn can read what learners'
 * grants share with it (docs/security.md, "Verifiers").
 */
@ObjectType({ description: 'An organisation outside the alliance (an employer, another university) registered to read what learners share with it.' })
export class RegisteredVerifier {
  @Field(() => String, { description: 'Its identifier, as the identity provider names it in `eciu_verifier`: https://…, did:… or mailto:….' })
  id!: string;

  @Field(() => String, { description: 'Its name, as learners see it in their access log.' })
  name!: string;

  @Field(() => DateTimeISOResolver)
  registeredAt!: Date;

  /** Token subject of the administrator who registered it (in the audit trail). */
  registeredBy!: string;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it was withdrawn: grants to it then open nothing.' })
  withdrawnAt?: Date | null;

  @Field(() => String, { nullable: true })
  withdrawalReason?: string | null;
}

/**
 * One look at a learner's records by someone outside the learner's own
 * circle: a verifier under a grant, or a member's staff under a grant to
 * their member. The learner sees these in `Learner.accessLog`.
 */
@ObjectType({ description: 'Someone looked at your records under one of your grants: who, when, what and why.' })
export class AccessEvent {
  /** Ascending sequence: the log is shown newest first, and pages by it. */
  seq!: number;

  learner!: Ref<Learner>;

  @Field(() => DateTimeISOResolver)
  at!: Date;

  @Field(() => GranteeKind, { description: 'A named verifier, or the staff of a member.' })
  accessorKind!: GranteeKind;

  @Field(() => String, { description: "The verifier's id, or the member's id." })
  accessorId!: string;

  @Field(() => String, { description: "The verifier's registered name, or the member's id." })
  accessorName!: string;

  @Field(() => String, { description: "The person or system who asked, as the organisation's identity provider names them (the token subject)." })
  subject!: string;

  @Field(() => ID, { description: 'The grant it was done under.' })
  grantId!: string;

  @Field(() => ConsentPurpose, { description: "The grant's purpose." })
  purpose!: ConsentPurpose;

  /** Comma-separated ConsentScope values that were open. */
  scopeList!: string;

  /** Comma-separated member ids whose records were open; null: every member's. */
  sourceMemberList?: string | null;
}

/**
 * The learners subgraph's audit trail: every write, with who (subject,
 * roles, member or verifier), when and what (before/after where it edits).
 * Not in the graph; operators read the table.
 */
export class AuditEvent {
  seq!: number;
  at!: Date;
  subject!: string;
  /** Comma-separated roles of the caller. */
  roles!: string;
  memberId?: string | null;
  verifierId?: string | null;
  learnerId?: string | null;
  action!: string;
  target!: string;
  /** JSON of the state before and after, where the write edits one. */
  before?: string | null;
  after?: string | null;
}
