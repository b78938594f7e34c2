import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { SignedIn } from './access.js';
import { badUserInput } from './errors.js';

/*
 * Idempotency keys (IETF Idempotency-Key draft), the same for every subgraph
 * that writes: an opaque key chosen by the client, scoped to the whole caller,
 * bound to a fingerprint of the request. Each subgraph stores (caller, key)
 * → fingerprint and result next to the effect, under a uniqueness constraint.
 */

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,255}$/;

/** Checks an Idempotency-Key (an opaque string chosen by the client); empty is none. */
export function checkIdempotencyKey(key: string | null | undefined, argument = 'idempotencyKey'): string | null {
  if (key === null || key === undefined || key === '') return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badUserInput('The Idempotency-Key must be 8 to 255 letters, digits, ".", "_", ":" or "-" (a UUID is a good choice).', argument);
  }
  return key;
}

/** The key of a write: the Idempotency-Key header or the argument (which must agree when both are sent). */
export function requestIdempotencyKey(header: string | null | undefined, value: string | null | undefined, argument = 'idempotencyKey'): string | null {
  const fromHeader = checkIdempotencyKey(header, argument);
  const fromArgument = checkIdempotencyKey(value, argument);
  if (fromHeader && fromArgument && fromHeader !== fromArgument) throw badUserInput(`The Idempotency-Key header and "${argument}" differ; send one of them.`, argument);
  return fromHeader ?? fromArgument;
}

export function keyReused(): GraphQLError {
  return new GraphQLError('This Idempotency-Key was already used for a different request; use a new key for a new request.', {
    extensions: { code: 'IDEMPOTENCY_KEY_REUSED' },
  });
}

/**
 * The identity an Idempotency-Key is scoped to: the token subject and every
 * part of the identity the hub acts on (roles, learner, member, verifier).
 * Two tokens that share only the subject (an analyst and a learner named
 * alike by the identity provider, two learner tokens with one subject) are two
 * callers, each with keys of its own (IETF Idempotency-Key draft: keys are
 * unique per client).
 */
export function callerScope(caller: SignedIn): string {
  const identity = [caller.subject, [...caller.roles].sort(), caller.learnerId ?? null, caller.memberId ?? null, caller.verifierId ?? null];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** sha256 of a request's canonical parts: what a replayed key must match. */
export function requestFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
