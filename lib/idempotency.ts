import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { SignedIn } from './access.js';
import { badUserInput } from './errors.js';

/*
 * Idempotency keys of writes (IETF Idempotency-Key draft), the same in every
 * subgraph: an opaque string the client chooses, sent as the Idempotency-Key
 * header (the gateway passes it on) or as an argument. A key belongs to the
 * whole caller (callerScope), so a token that shares only the subject with
 * another cannot replay its answer; the same key with a different request is
 * IDEMPOTENCY_KEY_REUSED.
 */

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,255}$/;

/** Checks an Idempotency-Key; absent or empty is null. */
export function checkIdempotencyKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined || key === '') return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badUserInput('The Idempotency-Key must be 8 to 255 letters, digits, ".", "_", ":" or "-" (a UUID is a good choice).', 'idempotencyKey');
  }
  return key;
}

/** The header and the argument, when both are sent, must agree; returns the key in force. */
export function idempotencyKeyOf(header: string | null | undefined, argument: string | null | undefined): string | null {
  const fromHeader = checkIdempotencyKey(header);
  const fromArgument = checkIdempotencyKey(argument);
  if (fromHeader && fromArgument && fromHeader !== fromArgument) throw badUserInput('The Idempotency-Key header and "idempotencyKey" differ; send one of them.', 'idempotencyKey');
  return fromHeader ?? fromArgument;
}

export function keyReused(): GraphQLError {
  return new GraphQLError('This Idempotency-Key was already used for a different request; use a new key for a new request.', {
    extensions: { code: 'IDEMPOTENCY_KEY_REUSED' },
  });
}

/** Whom a key belongs to: a hash of the whole verified identity (subject, roles, learner, member, verifier). */
export function callerScope(caller: SignedIn): string {
  const identity = [caller.subject, [...caller.roles].sort(), caller.learnerId ?? null, caller.memberId ?? null, caller.verifierId ?? null];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
