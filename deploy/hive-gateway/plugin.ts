import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { GraphQLError, type ParseOptions } from 'graphql';
import { ANONYMOUS, authenticate, InvalidTokenError, KeysUnavailableError, unauthenticated, type AccessTokenProfile, type Principal } from '../../lib/auth.js';
import type { HubSigner } from '../../lib/hub-token.js';
import { DEFAULT_QUERY_LIMITS, queryLimitRules, queryParseOptions, type QueryLimits } from '../../lib/query-limits.js';
import { createRateLimiter } from '../../lib/rate-limit.js';
import { estimateResultSize, queryTooLarge } from '../../lib/result-size.js';
import { HUB_JWKS_PATH } from '../../gateway/gateway.js';
import { PASS_THROUGH_BODY_LIMIT, passableLocation, passThroughTarget, PASSED_REQUEST_HEADERS, PASSED_RESPONSE_HEADERS, type PassThrough } from '../../gateway/pass-through.js';

/*
 * What the hub's own gateway does at the edge, as one Hive Gateway plugin,
 * for a deployer who puts Hive Gateway (GraphQL Hive's Fed 2 gateway) in
 * front of the hub's subgraphs instead of ours. Without it such a gateway
 * answers anonymous callers with the hub's subgraphs refusing them one field
 * at a time, sends no hub token (so every subgraph refuses everything), does
 * not know the hub's query limits and 404s the REST routes sealed into every
 * credential. With it:
 *
 * - the portal's access token is verified as ours does (lib/auth.ts): a bad
 *   one is 401 before anything runs, failed sign-ins cost the address's
 *   budget (a flood of forged tokens is 429, unverified), an identity
 *   provider that does not answer is 503;
 * - every subgraph call carries a fresh hub token for that subgraph, naming
 *   the caller (lib/hub-token.ts), and the Idempotency-Key;
 * - the edge's limits apply (lib/query-limits.ts): tokens while parsing,
 *   depth, aliases and directives while validating, the result-size cost
 *   model with the request's variables before executing;
 * - /issuers/…, /credentials/… and the wallet routes pass through to the
 *   issuance service, and the hub's public keys are published where member
 *   subgraphs fetch them.
 *
 * The subgraphs enforce their own (looser) limits and the access rules
 * whatever the gateway does (defence in depth, docs/security.md); this plugin
 * makes the edge refuse the same things ours does, with the same codes.
 * Cost-aware admission (per-caller cost budgets, fair queueing) stays with
 * our gateway; README.md in this folder says what a Hive deployment uses
 * instead.
 */

export interface HubEdgePluginOptions {
  /** How access tokens are verified (gateway/wiring.ts `readAccessTokenProfile`). */
  auth: AccessTokenProfile;
  /** Signs the hub token for each subgraph call. */
  hubSigner: HubSigner;
  /** The edge's query limits; default DEFAULT_QUERY_LIMITS (as our gateway). */
  limits?: QueryLimits;
  /** Failed sign-ins an address may make per minute before its tokens are refused unverified; default 600. */
  failedSignInsPerMinute?: number;
  /** REST routes served by a subgraph and passed through (gateway/wiring.ts `issuancePassThrough`). */
  passThrough?: readonly PassThrough[];
  /** Where the GraphQL endpoint is; default /graphql (Hive Gateway's default). */
  graphqlPath?: string;
}

/** The context field the plugin adds: who is calling. */
export interface HubEdgeContext {
  hubPrincipal?: Principal;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function refusal(status: number, message: string, code: string, headers: Record<string, string> = {}): Response {
  return json(status, { errors: [{ message, extensions: { code } }] }, headers);
}

/** The client's address as the HTTP server saw it (Node's IncomingMessage under `serverContext.req`). */
function peerAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return `ip:${req?.socket?.remoteAddress ?? 'unknown'}`;
}

async function passThrough(request: Request, url: URL, route: PassThrough): Promise<Response> {
  const target = passThroughTarget(`${url.pathname}${url.search}`, route);
  if (!target) return refusal(404, 'Not found.', 'NOT_FOUND');
  const headers: Record<string, string> = { accept: request.headers.get('accept') ?? '*/*' };
  for (const name of PASSED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  // A wallet's own access token (OID4VCI) is the route's business; hub access tokens never leave the edge.
  const authorization = request.headers.get('authorization');
  if (route.forwardAuthorization && authorization) headers['authorization'] = authorization;
  const tooLarge = () => refusal(413, `The body is larger than ${PASS_THROUGH_BODY_LIMIT / 1024 / 1024} MB.`, 'PAYLOAD_TOO_LARGE');
  // As at our gateway: refused before it is read when the client says how long it is, and once read otherwise.
  if (Number(request.headers.get('content-length') ?? 0) > PASS_THROUGH_BODY_LIMIT) return tooLarge();
  const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
  if (body && body.byteLength > PASS_THROUGH_BODY_LIMIT) return tooLarge();
  try {
    const answer = await fetch(target, {
      method: request.method,
      headers,
      ...(body && body.byteLength > 0 ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(route.timeoutMs),
    });
    const passed = new Headers();
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = answer.headers.get(name);
      if (value && (name !== 'location' || passableLocation(value))) passed.set(name, value);
    }
    return new Response(await answer.arrayBuffer(), { status: answer.status, headers: passed });
  } catch {
    return refusal(503, 'The credential service could not be reached; try again shortly.', 'SERVICE_UNAVAILABLE', { 'retry-after': '5' });
  }
}

/** The hub's edge as a Hive Gateway plugin (see the top of this file). */
export function useHubEdge(options: HubEdgePluginOptions): GatewayPlugin<HubEdgeContext> {
  const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const failures = createRateLimiter(options.failedSignInsPerMinute ?? 600);
  const parseOptions: ParseOptions = queryParseOptions(limits);
  // The request's principal, set by onRequest and read when the context is built.
  const principals = new WeakMap<Request, Principal>();
  // Requests whose document did not parse or validate. Yoga answers those with 200 when the client accepts
  // application/json (the GraphQL-over-HTTP "spec" status, set by hooks of its own that run after ours); the
  // hub's edge answers 400 GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED whatever the client accepts
  // (docs/security.md, "Error codes"), so the status is corrected as the response leaves.
  const refusedDocuments = new WeakSet<Request>();
  const refuseWith400 = (context: unknown) => {
    const request = (context as { request?: Request } | undefined)?.request;
    if (request) refusedDocuments.add(request);
  };
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname === HUB_JWKS_PATH && request.method === 'GET') {
        endResponse(json(200, options.hubSigner.jwks, { 'cache-control': 'public, max-age=300' }));
        return;
      }
      const route = options.passThrough?.find((candidate) => candidate.prefixes.some((prefix) => url.pathname.startsWith(prefix)));
      if (route) {
        endResponse(await passThrough(request, url, route));
        return;
      }
      if (url.pathname !== graphqlPath) return;
      const header = request.headers.get('authorization') ?? undefined;
      const address = peerAddress(serverContext);
      const hasToken = header !== undefined && header.trim() !== '';
      if (hasToken) {
        const wait = await failures.peek(address);
        if (wait > 0) {
          endResponse(refusal(429, `Too many requests; try again in ${wait} s.`, 'RATE_LIMITED', { 'retry-after': String(wait) }));
          return;
        }
      }
      try {
        principals.set(request, await authenticate(header, options.auth));
      } catch (error) {
        if (error instanceof KeysUnavailableError) {
          endResponse(
            refusal(503, 'The hub cannot check access tokens right now (its identity provider does not answer); try again shortly.', 'SERVICE_UNAVAILABLE', { 'retry-after': '5' }),
          );
          return;
        }
        if (!(error instanceof InvalidTokenError)) throw error;
        await failures.take(address);
        endResponse(refusal(401, unauthenticated(error.reason).message, 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer error="invalid_token"' }));
      }
    },
    onContextBuilding({ context, extendContext }) {
      const request = (context as { request?: Request }).request;
      extendContext({ hubPrincipal: (request && principals.get(request)) ?? ANONYMOUS });
    },
    onParse({ parseFn, setParseFn, context }) {
      setParseFn((source, parseOptionsOfCall) => parseFn(source, { ...parseOptionsOfCall, ...parseOptions }));
      return ({ result }) => {
        if (!(result instanceof GraphQLError)) return;
        (result.extensions as Record<string, unknown>)['code'] = 'GRAPHQL_PARSE_FAILED';
        refuseWith400(context);
      };
    },
    onValidate({ addValidationRule, context }) {
      for (const rule of queryLimitRules(limits)) addValidationRule(rule);
      return ({ valid, result }) => {
        if (valid) return;
        for (const error of result) (error.extensions as Record<string, unknown>)['code'] ??= 'GRAPHQL_VALIDATION_FAILED';
        refuseWith400(context);
      };
    },
    onResponse({ request, response, setResponse }) {
      if (!refusedDocuments.has(request) || response.status !== 200) return;
      setResponse(new Response(response.body, { status: 400, headers: response.headers }));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const estimate = estimateResultSize(args.schema, args.document, {
        operationName: args.operationName,
        variables: (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
      });
      if (estimate > limits.maxResultItems) setResultAndStopExecution({ errors: [queryTooLarge(estimate, limits.maxResultItems)] });
    },
    async onFetch({ context, executionRequest, options: fetchOptions, setOptions }) {
      const subgraph = executionRequest?.subgraphName;
      // Fetches without a subgraph (none today) are not calls to a hub service: nothing to sign.
      if (!subgraph) return;
      const principal = ('hubPrincipal' in context ? context.hubPrincipal : undefined) ?? ANONYMOUS;
      const headers: Record<string, string> = { ...(fetchOptions.headers as Record<string, string> | undefined) };
      headers['authorization'] = `Bearer ${await options.hubSigner.sign(principal, subgraph)}`;
      const request = 'request' in context ? (context.request as Request | undefined) : undefined;
      const idempotencyKey = request?.headers.get('idempotency-key');
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey.slice(0, 300);
      setOptions({ ...fetchOptions, headers });
    },
  };
}
