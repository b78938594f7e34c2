import express, { type Express } from 'express';
import { InvalidTokenError } from './auth.js';
import type { HttpClient } from './http-client.js';
import type { HubSigner, HubVerifier } from './hub-token.js';
import { isLearnerId } from './ids.js';
import type { Logger } from './log.js';
import type { SqlEntityManager } from './orm.js';

/*
 * The right to erasure (issue 10 fix 9) across services. The learners
 * service orchestrates: it erases its own part (register entry, grants,
 * access log), writes a durable task per target in the same transaction, and
 * calls each target until it answers (docs/security.md, "Erasure"). A target
 * is any service that stores learner data: every member, and central
 * subgraphs such as issuance. Each one:
 *
 * 1. exports `eraseLearner(em, learnerId, options)` from
 *    `subgraphs/<name>/erasure.ts` (type EraseLearner: rows erased or
 *    anonymised per kind, e.g. `{ scanAnswers: 3, feedbackAnonymised: 2 }`);
 *    idempotent - erasing again finds nothing and answers zeros;
 * 2. mounts it with `mountErasureRoute` in its server's `routes` (one line);
 * 3. is named to the learners service in its list of targets (one line in
 *    hub/stack.ts, `ERASURE_TARGETS` for a standalone learners service).
 *    Members need no registration: the member registry names them.
 *
 * The route answers only the learners service's service token (hub key,
 * type hub-service+jwt, audience = the target), never a user's call.
 */

/** Rows erased or anonymised per kind of record. */
export type ErasureCounts = Record<string, number>;

export interface ErasureOptions {
  /** Revoke the credentials issued to the learner (they stay verifiable, as revoked). */
  revokeCredentials?: boolean;
}

/** What each subgraph's erasure.ts exports. */
export type EraseLearner = (em: SqlEntityManager, learnerId: string, options?: ErasureOptions) => Promise<ErasureCounts>;

/** The internal route every target serves; never passed through by the gateway. */
export const ERASURE_PATH = '/internal/erasure';
/** The only service that may ask a target to erase. */
export const ERASURE_CALLER = 'learners';

/** A target the learners service tells about an erasure. */
export interface ErasureTarget {
  /** `member:<member id>` or the service name (e.g. `issuance`). */
  name: string;
  /** The audience of the service token: the member id or the service name. */
  audience: string;
  /** The target's origin, e.g. http://127.0.0.1:4004 (the route is ERASURE_PATH). */
  origin: string;
}

/** Central targets from `ERASURE_TARGETS`: `name=http://host:port,other=http://…`. */
export function parseErasureTargets(value: string | undefined): ErasureTarget[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const [name, url] = entry.split('=').map((part) => part.trim()) as [string, string | undefined];
    if (!/^[a-z][a-z0-9-]{1,31}$/.test(name) || !url || !/^https?:\/\//.test(url)) {
      throw new Error(`ERASURE_TARGETS: "${entry}" is not name=http(s)://host:port`);
    }
    return { name, audience: name, origin: new URL(url).origin };
  });
}

export interface ErasureRouteOptions {
  /** This service's audience in service tokens (a member id or the service name). */
  audience: string;
  verifier: HubVerifier;
  logger: Logger;
  erase(learnerId: string, options: ErasureOptions): Promise<ErasureCounts>;
}

/**
 * Mounts `POST /internal/erasure` ({ learnerId, revokeCredentials }) →
 * `{ counts }`. 401 for anything but the learners service's token.
 */
export function mountErasureRoute(app: Express, options: ErasureRouteOptions): void {
  app.post(ERASURE_PATH, express.json({ limit: '4kb' }), async (request, response) => {
    try {
      const service = await options.verifier.verifyService(request.headers.authorization, options.audience);
      if (service !== ERASURE_CALLER) throw new InvalidTokenError('only the learners service asks for an erasure');
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      response.status(401).setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      response.json({ errors: [{ message: `Request refused: ${error.reason}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    const body = (request.body ?? {}) as { learnerId?: unknown; revokeCredentials?: unknown };
    if (typeof body.learnerId !== 'string' || !isLearnerId(body.learnerId)) {
      response.status(400).json({ errors: [{ message: '"learnerId" must be an alliance learner id.', extensions: { code: 'BAD_USER_INPUT', argument: 'learnerId' } }] });
      return;
    }
    try {
      const counts = await options.erase(body.learnerId, { revokeCredentials: body.revokeCredentials === true });
      response.json({ counts });
    } catch (error) {
      options.logger.error('erasure failed', { error: error as Error });
      response.status(500).json({ errors: [{ message: 'The erasure failed; it will be asked for again.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  });
}

/** A target did not carry out the erasure (down, refused, failed): the task is tried again later. */
export class ErasureCallError extends Error {}

/** Asks one target to erase a learner's data; returns its counts, or throws ErasureCallError with a reason fit for the receipt. */
export async function callErasureTarget(
  client: HttpClient,
  signer: HubSigner,
  target: ErasureTarget,
  request: { learnerId: string } & ErasureOptions,
  timeoutMs: number,
): Promise<ErasureCounts> {
  let status: number;
  let text: string;
  try {
    const response = await client.fetch(`${target.origin}${ERASURE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService(ERASURE_CALLER, target.audience)}` },
      body: JSON.stringify({ learnerId: request.learnerId, revokeCredentials: request.revokeCredentials === true }),
      timeoutMs,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new ErasureCallError(timedOut ? `did not answer within ${timeoutMs} ms` : 'could not be reached');
  }
  if (status !== 200) throw new ErasureCallError(`answered with HTTP ${status}`);
  try {
    const counts = (JSON.parse(text) as { counts?: unknown }).counts;
    if (counts && typeof counts === 'object' && Object.values(counts).every((value) => Number.isInteger(value))) return counts as ErasureCounts;
  } catch {
    // Falls through: the same answer as a malformed body.
  }
  throw new ErasureCallError('answered with something that is not an erasure report');
}
