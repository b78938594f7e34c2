// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/*
 * What the learners service keeps of an erasure (docs/security.md,
 * "Erasure"): the receipt, and one durable task per target (every member,
 * every central service that stores learner data). A task holds the learner
 * id only until its target has answered; the receipt holds a hash of it, so
 * the learner can still be shown their receipt, and nothing else.
 */

export class ErasureRequest {
  /** A random UUID: the receipt's id. */
  id!: string;
  /** sha256 of the alliance learner id: who may read the receipt, without keeping the id. */
  learnerHash!: string;
  requestedAt!: Date;
  revokeCredentials!: boolean;
  /** JSON of what was erased in the learner register itself (kind → rows). */
  registerCounts!: string;
  completedAt?: Date | null;
  /** Idempotency: the caller's scope and key, when a key was sent. */
  callerScope?: string | null;
  idempotencyKey?: string | null;
}

export class ErasureTask {
  id!: number;
  erasureId!: string;
  /** `member:<member id>` or a service name. */
  target!: string;
  /** The service token's audience: the member id or the service name. */
  audience!: string;
  /** Until the target has answered; then null. */
  learnerId?: string | null;
  revokeCredentials!: boolean;
  status!: 'PENDING' | 'DONE';
  attempts!: number;
  nextAttemptAt!: Date;
  lastAttemptAt?: Date | null;
  lastError?: string | null;
  /** JSON of the target's answer (kind → rows). */
  counts?: string | null;
  doneAt?: Date | null;
}

export enum ErasureTaskStatus {
  DONE = 'DONE',
  PENDING = 'PENDING',
}

export function registerErasureEnums(): void {
  registerEnumType(ErasureTaskStatus, {
    name: 'ErasureTaskStatus',
    valuesConfig: {
      DONE: { description: 'The target erased (or anonymised) what it held and said what.' },
      PENDING: { description: 'The target has not answered yet (it may be down); it is asked again until it does.' },
    },
  });
}

@ObjectType({ description: 'How many rows of one kind were erased or anonymised.' })
export class ErasedCount {
  @Field(() => String, { description: 'The kind of record, e.g. "enrolments" or "credentialsRevoked".' })
  kind!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'What one member or service did for an erasure.' })
export class ErasureTargetOutcome {
  @Field(() => String, { description: '"member:<member id>" or the service, e.g. "issuance".' })
  target!: string;

  @Field(() => ErasureTaskStatus)
  status!: ErasureTaskStatus;

  @Field(() => Int, { description: 'How many times it was asked.' })
  attempts!: number;

  @Field(() => DateTimeISOResolver, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it is asked again (while PENDING).' })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  doneAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt did not succeed (while PENDING).' })
  problem!: string | null;

  @Field(() => [ErasedCount], { description: 'What it erased or anonymised (once DONE).' })
  counts!: ErasedCount[];
}

@ObjectType({ description: 'The receipt of an erasure of an alliance account: what was done where, and what is still to be done.' })
export class ErasureReceipt {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeISOResolver)
  requestedAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the last target answered.' })
  completedAt!: Date | null;

  @Field(() => Boolean, { description: 'Every target has answered.' })
  complete!: boolean;

  @Field(() => Boolean, { description: 'Whether the credentials issued to you were to be revoked.' })
  revokeCredentials!: boolean;

  @Field(() => [ErasedCount], { description: 'What the learner register erased: your alliance id, its links to member accounts, your grants, your access log.' })
  register!: ErasedCount[];

  @Field(() => [ErasureTargetOutcome], { description: 'Each member and service, in order.' })
  targets!: ErasureTargetOutcome[];
}
