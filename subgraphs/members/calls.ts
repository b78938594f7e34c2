import { SpanStatusCode } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { memberUnavailable, PUBLIC_ERROR_CODES } from '../../lib/errors.js';
import { postGraphQL, ServiceCallError, type GraphQLResponseError } from '../../lib/http-client.js';
import { propagationHeaders, recordCall } from '../../lib/observe.js';
import { startClientSpan } from '../../lib/tracing.js';
import type { RouterContext } from './context.js';
import { adopt, attachErrors } from './forward.js';
import type { MemberEntry } from './registry.js';

/** A member could not answer at all (down, slow, broken): its part of the response is missing. */
export class MemberFailure extends Error {
  constructor(
    readonly member: MemberEntry,
    readonly error: GraphQLError,
  ) {
    super(error.message);
    this.name = 'MemberFailure';
  }
}

/**
 * Wraps a member's GraphQL error with the member's name. Errors with a public
 * code keep it and their message; a member's internal error becomes
 * MEMBER_ERROR, so the client learns which member failed (and nothing else)
 * instead of a bare "Internal server error".
 */
export function memberError(member: MemberEntry, error: GraphQLResponseError): GraphQLError {
  const code = typeof error.extensions?.['code'] === 'string' ? error.extensions['code'] : 'INTERNAL_SERVER_ERROR';
  if (!PUBLIC_ERROR_CODES.has(code)) {
    return new GraphQLError(`Member "${member.id}" (${member.name}) failed to answer part of this request.`, {
      extensions: { code: 'MEMBER_ERROR', member: member.id },
    });
  }
  const argument = error.extensions?.['argument'];
  return new GraphQLError(`Member "${member.id}" (${member.name}): ${error.message}`, {
    extensions: { code, member: member.id, ...(typeof argument === 'string' ? { argument } : {}) },
  });
}

/** Adds an error to the response once per key (e.g. once per failing member). */
export function reportOnce(context: RouterContext, key: string, error: GraphQLError): void {
  if (context.reported.has(key)) return;
  context.reported.add(key);
  context.extraErrors.push(error);
}

export function reportFailure(context: RouterContext, failure: MemberFailure): void {
  reportOnce(context, `unavailable:${failure.member.id}`, failure.error);
}

export interface MemberAnswer {
  /** The member's `data`, every object marked as forwarded and carrying the errors behind its nulls. */
  data: Record<string, unknown> | null;
  /** Errors that belong to no value in `data`. */
  unattached: GraphQLError[];
}

/**
 * The exact counts the analytics service builds its publications from
 * (memberStatistics, memberSkillCounts): asked in the background, never on a
 * reader's path (subgraphs/analytics/standing.ts), and at the scale of a large
 * member they take longer than a reader's deadline. They get this one.
 */
const BACKGROUND_FIELDS = new Set(['memberStatistics', 'memberSkillCounts']);
export const BACKGROUND_TIMEOUT_MS = 30_000;

/**
 * The client request a router call belongs to: the gateway's span id, which the gateway draws afresh for every
 * client request and sends as the traceparent's parent (lib/observe.ts). Not X-Request-Id: clients may send
 * their own and reuse it. Without a parent (a call not from the gateway) every call has its own deadline.
 */
function requestKeyOf(context: RouterContext): string | undefined {
  const trace = context.observation?.trace;
  return trace?.parentSpanId ? `${trace.traceId}-${trace.parentSpanId}` : undefined;
}

/**
 * Sends one query to one member within the member's deadline (a longer one for BACKGROUND_FIELDS). Transport
 * failures become a `MemberFailure` whose message names the member and what
 * went wrong, never its address.
 */
export async function callMember(
  context: RouterContext,
  member: MemberEntry,
  purpose: string,
  query: string,
  variables: Record<string, unknown>,
  principal: Principal = context.principal,
): Promise<MemberAnswer> {
  const started = performance.now();
  const requestKey = BACKGROUND_FIELDS.has(purpose) ? undefined : requestKeyOf(context);
  const send = async () => {
    const deadline = requestKey ? context.deadlines.begin(requestKey, member.id, member.timeoutMs) : undefined;
    const timeoutMs = BACKGROUND_FIELDS.has(purpose) ? Math.max(member.timeoutMs, BACKGROUND_TIMEOUT_MS) : (deadline?.timeoutMs ?? member.timeoutMs);
    // Silent for its whole deadline in this request already: not asked again.
    if (timeoutMs <= 0) throw new ServiceCallError(`did not answer within ${member.timeoutMs} ms`, 'timeout');
    // Tracing on: a CLIENT span for this call, and the member's server span its child (the traceparent names it).
    const traced = startClientSpan(`member ${member.id}`, { 'hub.member': member.id, 'hub.purpose': purpose, 'hub.timeout_ms': timeoutMs });
    // A fresh token per call: audience = this member, the caller's identity (with any sharing vouched for), a unique id.
    const headers: Record<string, string> = {
      ...propagationHeaders(context.observation),
      ...(traced ? { traceparent: traced.traceparent } : {}),
      ...(context.signer ? { authorization: `Bearer ${await context.signer.sign(principal, member.id)}` } : {}),
    };
    const body = await postGraphQL(context.client, member.endpoint, { query, variables, operationName: 'HubForward' }, { timeoutMs, headers }).then(
      (answer) => {
        deadline?.end('answered');
        traced?.span.setAttribute('hub.outcome', answer.errors?.length ? 'errors' : 'ok');
        traced?.span.end();
        return answer;
      },
      (error: unknown) => {
        const timedOut = error instanceof ServiceCallError && error.kind === 'timeout';
        deadline?.end(timedOut ? 'timeout' : 'answered');
        if (traced) {
          traced.span.setAttribute('hub.outcome', timedOut ? 'timeout' : 'error');
          traced.span.setStatus({ code: SpanStatusCode.ERROR, message: timedOut ? 'timeout' : 'error' });
          traced.span.end();
        }
        // The member's deadline, not what was left of it, is what the client is told.
        throw timedOut && timeoutMs < member.timeoutMs ? new ServiceCallError(`did not answer within ${member.timeoutMs} ms`, 'timeout') : error;
      },
    );
    const ms = performance.now() - started;
    context.calls.push({ member: member.id, purpose, ok: true, ms });
    recordCall(context.observation, context.metrics, `member:${member.id}`, ms, 'ok');
    return body;
  };
  try {
    // The public catalogue is the same for every caller: a fresh kept answer is used without asking the member (public-cache.ts).
    const catalogue = context.catalogue;
    let body;
    if (catalogue?.cacheable(query)) {
      const kept = await catalogue.answer(member.id, member.endpoint, query, variables, send);
      context.metrics?.cacheLookups.inc({ cache: 'catalogue', result: kept.hit ? 'hit' : 'miss' });
      body = kept.body;
    } else {
      body = await send();
    }
    const data = body.data ?? null;
    adopt(data);
    const unattached = attachErrors(data, body.errors ?? [], (error) => memberError(member, error));
    return { data, unattached };
  } catch (error) {
    const ms = performance.now() - started;
    context.calls.push({ member: member.id, purpose, ok: false, ms });
    recordCall(context.observation, context.metrics, `member:${member.id}`, ms, error instanceof ServiceCallError && error.kind === 'timeout' ? 'timeout' : 'error');
    if (error instanceof ServiceCallError) {
      context.logger.warn('member call failed', { member: member.id, purpose, reason: error.reason });
      throw new MemberFailure(member, memberUnavailable(member, error.reason));
    }
    // Anything else went wrong reading this member's answer: it costs this member's part only.
    context.logger.error('member answer could not be used', { member: member.id, purpose, error: error as Error });
    throw new MemberFailure(member, memberUnavailable(member, 'answered with something the hub could not read'));
  }
}
