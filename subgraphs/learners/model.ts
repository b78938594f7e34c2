// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import type { Ref } from '@mikro-orm/core';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

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
