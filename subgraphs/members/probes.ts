import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Principal } from '../../lib/auth.js';
import { isGraphQLResponse, type GraphQLResponseBody, type GraphQLResponseError, type HttpClient } from '../../lib/http-client.js';
import { hubSignerFromFiles, type HubKeyFiles } from '../../lib/hub-token.js';
import { SIGNING_ALGORITHM } from '../../lib/keys.js';

/*
 * Behaviour probes of a member endpoint, for `npm run member:check`: a schema
 * that matches the contract says nothing about who the member answers. Each
 * probe asks the member something it must refuse (a call the hub did not
 * sign, a learner reading another learner, small counts) and reports one
 * outcome with a one-line reason and, when it failed, what to fix.
 */

export type ProbeOutcome = 'passed' | 'failed' | 'skipped';

export interface ProbeResult {
  /** What was probed, as a behaviour the member must show ("refuses …"). */
  probe: string;
  outcome: ProbeOutcome;
  /** One line: what was sent and what the member answered. */
  reason: string;
  /** One line for a failed probe: what the member's operators should change. */
  fix?: string;
}

/** Hub tokens for one member, including the ones a member must refuse. */
export interface ProbeTokens {
  memberId: string;
  /** A valid hub token for `audience` (default: the member). */
  valid(principal: Principal, audience?: string): Promise<string>;
  /** A hub token that expired minutes ago, signed with the hub's key. */
  expired(principal: Principal): Promise<string>;
  /** A hub token signed with a key that is not the hub's (under the hub key's own `kid`). */
  foreignKey(principal: Principal): Promise<string>;
}

const EXPIRED_SECONDS_AGO = 240;

/**
 * Probe tokens from the hub's key files. The tokens to refuse are the hub's
 * own valid tokens re-signed with one thing wrong, so they carry exactly the
 * claims lib/hub-token.ts writes and differ from a valid one in that thing only.
 */
export async function probeTokensFromKeyFiles(files: HubKeyFiles, memberId: string): Promise<ProbeTokens> {
  const signer = await hubSignerFromFiles(files);
  const hubKey = await importJWK(JSON.parse(readFileSync(files.privatePath, 'utf8')) as JWK, SIGNING_ALGORITHM);
  const { privateKey: otherKey } = await generateKeyPair(SIGNING_ALGORITHM);
  const reSigned = async (principal: Principal, key: Parameters<SignJWT['sign']>[0], changes: Record<string, unknown>) => {
    const token = await signer.sign(principal, memberId);
    const payload = { ...decodeJwt(token), jti: randomUUID(), ...changes };
    return new SignJWT(payload).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign(key);
  };
  return {
    memberId,
    valid: (principal, audience = memberId) => signer.sign(principal, audience),
    expired: (principal) => {
      const now = Math.floor(Date.now() / 1000);
      return reSigned(principal, hubKey, { iat: now - EXPIRED_SECONDS_AGO - 60, exp: now - EXPIRED_SECONDS_AGO });
    },
    foreignKey: (principal) => reSigned(principal, otherKey, {}),
  };
}

/** The smallest count the contract lets a member publish, from the `Uptake` description ("Counts from 1 to 9 … are withheld"). */
export function smallestShownOf(contractText: string): number | undefined {
  const match = /Counts from 1 to (\d+)\b[^"]*withheld/.exec(contractText);
  return match ? Number(match[1]) + 1 : undefined;
}

interface Answer {
  status: number;
  body: GraphQLResponseBody | undefined;
}

class Unreachable extends Error {}

const ANONYMOUS: Principal = { kind: 'anonymous' };
const CHECKER = 'urn:eciu:member-check';
const UPTAKE_COUNTS = ['learners', 'enrolments', 'completed', 'withdrawn', 'assessed', 'passed'] as const;
type Count = (typeof UPTAKE_COUNTS)[number];
type Uptake = Partial<Record<Count, number | null>>;

function codeOf(error: GraphQLResponseError | undefined): string | undefined {
  const code = error?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

/** "HTTP 401 UNAUTHENTICATED", for reasons. */
function described(answer: Answer): string {
  const code = codeOf(answer.body?.errors?.[0]);
  return `HTTP ${answer.status}${code ? ` ${code}` : ''}`;
}

export interface ProbeOptions {
  timeoutMs?: number;
  /** Hub tokens for the member; without them only the unsigned call can be probed. */
  tokens?: ProbeTokens;
  /** The smallest count a member may publish (from the contract, see smallestShownOf). */
  smallestShown: number;
}

/**
 * Probes how a member endpoint treats callers: tokens it must refuse, a
 * learner reading another learner's records, small counts. Never throws for
 * the member's behaviour: an endpoint that cannot be reached fails every probe.
 */
export async function probeMemberBehaviour(client: HttpClient, url: string, options: ProbeOptions): Promise<ProbeResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = async (query: string, token: string | undefined, variables: Record<string, unknown> = {}): Promise<Answer> => {
    let status: number;
    let text: string;
    try {
      const response = await client.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        timeoutMs,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      throw new Unreachable(name === 'TimeoutError' || name === 'AbortError' ? `the endpoint did not answer within ${timeoutMs} ms` : 'the endpoint could not be reached');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status, body: isGraphQLResponse(parsed) ? parsed : undefined };
  };
  const results: ProbeResult[] = [];
  const run = async (probe: string, body: () => Promise<Omit<ProbeResult, 'probe'>>) => {
    try {
      results.push({ probe, ...(await body()) });
    } catch (error) {
      if (!(error instanceof Unreachable)) throw error;
      results.push({ probe, outcome: 'failed', reason: `${error.message}.`, fix: 'Check the URL and that the member is running, then run the check again.' });
    }
  };

  const tokens = options.tokens;
  // The one probe that needs no key: what every caller on the network can try.
  await run('refuses calls without a hub token', async () => {
    const verdict = tokenVerdict(await send(VERSION_QUERY, undefined), 'Answer 401 to every /graphql request that carries no hub token: the member subgraph does so when HUB_JWKS_URL or HUB_JWKS_FILE is set.');
    return { ...verdict, reason: `${verdict.reason}.` };
  });
  if (!tokens) {
    results.push({
      probe: 'refuses forged, expired and misaddressed tokens; a learner reading another learner; small counts',
      outcome: 'failed',
      reason: 'not probed: these need tokens the hub signs.',
      fix: 'Run the check with --member <id> and --hub-keys <dir> (the hub signing key).',
    });
    return results;
  }

  // A refusal proves something only if the member answers the same call with a valid token.
  const control = await send(VERSION_QUERY, await tokens.valid(ANONYMOUS)).catch((error: unknown) => error as Error);
  const controlFailure =
    control instanceof Error
      ? control.message
      : typeof control.body?.data?.['memberContractVersion'] === 'string'
        ? undefined
        : `it refuses a valid hub token for ${tokens.memberId} too (${described(control)})`;
  const tokenProbe = async (probe: string, tokensToSend: () => Promise<{ label: string; token: string }[]>, fix: string) =>
    run(probe, async () => {
      if (controlFailure) return { outcome: 'failed', reason: `inconclusive: ${controlFailure}.`, fix: 'Make the member accept the hub tokens for its own id (HUB_JWKS_URL, its clock), then run the check again.' };
      const sent = await tokensToSend();
      const verdicts: Omit<ProbeResult, 'probe'>[] = [];
      for (const { label, token } of sent) {
        const verdict = tokenVerdict(await send(VERSION_QUERY, token), fix);
        verdicts.push(sent.length > 1 ? { ...verdict, reason: `${label}: ${verdict.reason}` } : verdict);
      }
      const failed = verdicts.find((verdict) => verdict.outcome === 'failed');
      return failed ? { ...failed, reason: `${failed.reason}.` } : { outcome: 'passed', reason: `${verdicts.map((verdict) => verdict.reason).join('; ')}.` };
    });
  await tokenProbe(
    'refuses a token signed by a key that is not the hub\'s',
    async () => [{ label: 'foreign key', token: await tokens.foreignKey(ANONYMOUS) }],
    "Verify the signature against the hub's key set only (HUB_JWKS_URL, the gateway's /.well-known/hub-jwks.json), never a key a token names or carries.",
  );
  await tokenProbe(
    'refuses an expired hub token',
    async () => [{ label: 'expired', token: await tokens.expired(ANONYMOUS) }],
    "Check `exp` (a few seconds of clock tolerance at most) and keep the server's clock synchronised.",
  );
  const otherMember = OTHER_MEMBERS.find((id) => id !== tokens.memberId) as string;
  await tokenProbe(
    'refuses a hub token for another audience',
    async () => [
      { label: `audience "${otherMember}"`, token: await tokens.valid(ANONYMOUS, otherMember) },
      { label: 'audience "members" (the router)', token: await tokens.valid(ANONYMOUS, 'members') },
    ],
    `Check that \`aud\` is this member's id ("${tokens.memberId}"): a token the hub signed for another service must not open this one.`,
  );
  await run("refuses a learner reading another learner's records", () => probeLearnerIsolation(send, tokens));
  await run('withholds small counts', () => probeSmallCounts(send, tokens, options.smallestShown));
  return results;
}

const VERSION_QUERY = /* GraphQL */ `query MemberCheckVersion { memberContractVersion }`;
/** Audiences a member must not accept: another member's id (any will do). */
const OTHER_MEMBERS = ['tuni.fi', 'utwente.nl'];

type Send = (query: string, token: string | undefined, variables?: Record<string, unknown>) => Promise<Answer>;

/** Refused means HTTP 401/403 or UNAUTHENTICATED/FORBIDDEN, and no data; anything else is not a refusal a client can rely on. The reason has no full stop: probes join several. */
function tokenVerdict(answer: Answer, fix: string): Omit<ProbeResult, 'probe'> {
  const version = answer.body?.data?.['memberContractVersion'];
  if (typeof version === 'string') return { outcome: 'failed', reason: `it answered (HTTP ${answer.status}, memberContractVersion "${version}")`, fix };
  const code = codeOf(answer.body?.errors?.[0]);
  if (answer.status === 401 || answer.status === 403 || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return { outcome: 'passed', reason: `refused (${described(answer)})` };
  return { outcome: 'failed', reason: `no data, but no refusal either (${described(answer)})`, fix: 'Refuse with HTTP 401 and UNAUTHENTICATED, as the member subgraph does.' };
}

interface AccountNode {
  id: string;
  learner: { id: string } | null;
  achievements: { id: string }[] | null;
}

const ACCOUNTS_QUERY = /* GraphQL */ `
  query MemberCheckAccounts { learnerAccounts(first: 100) { nodes { id learner { id } achievements { id } } } }
`;

/** As the member's staff, find two learners; as the first, ask for the second's account and an achievement. */
async function probeLearnerIsolation(send: Send, tokens: ProbeTokens): Promise<Omit<ProbeResult, 'probe'>> {
  const staff: Principal = { kind: 'user', subject: CHECKER, roles: ['member-staff'], memberId: tokens.memberId };
  const listed = await send(ACCOUNTS_QUERY, await tokens.valid(staff));
  const nodes = (listed.body?.data?.['learnerAccounts'] as { nodes?: AccountNode[] } | null | undefined)?.nodes;
  if (!nodes) {
    return {
      outcome: 'failed',
      reason: `the member's own staff could not list its learner accounts (${listed.body?.errors?.[0]?.message ?? described(listed)}).`,
      fix: "Serve `learnerAccounts` to the member's own staff (role member-staff, eciu_member = this member).",
    };
  }
  const linked = nodes.filter((node) => node.learner?.id);
  const learnerA = linked[0];
  // Learner B: another learner, one with an achievement when there is one, so both kinds of record are asked for.
  const others = linked.filter((node) => node.learner?.id !== learnerA?.learner?.id);
  const learnerB = others.find((node) => (node.achievements?.length ?? 0) > 0) ?? others[0];
  if (!learnerA || !learnerB) {
    return { outcome: 'skipped', reason: `skipped: fewer than two learners (${linked.length} account(s) linked to an alliance learner on the first page); run the check again once the member holds learners.` };
  }
  const achievementId = learnerB.achievements?.[0]?.id;
  const asked = await send(
    /* GraphQL */ `
      query MemberCheckIsolation($own: ID!, $other: ID!${achievementId ? ', $achievement: ID!' : ''}) {
        own: learnerAccount(id: $own) { id }
        other: learnerAccount(id: $other) { id }
        ${achievementId ? 'otherAchievement: achievement(id: $achievement) { id }' : ''}
      }
    `,
    await tokens.valid({ kind: 'user', subject: CHECKER, roles: ['learner'], learnerId: learnerA.learner?.id as string }),
    { own: learnerA.id, other: learnerB.id, ...(achievementId ? { achievement: achievementId } : {}) },
  );
  const data = asked.body?.data;
  const what = `learner ${learnerA.learner?.id} asked for account ${learnerB.id}${achievementId ? ` and achievement ${achievementId}` : ''} of learner ${learnerB.learner?.id}`;
  const leaked = [data?.['other'] ? `account ${learnerB.id}` : undefined, data?.['otherAchievement'] ? `achievement ${achievementId}` : undefined].filter(Boolean);
  if (leaked.length > 0) {
    return {
      outcome: 'failed',
      reason: `${what}: the member returned ${leaked.join(' and ')}.`,
      fix: "Serve a learner only records whose alliance learner id is the token's eciu_learner; refuse others with null and FORBIDDEN, also for ids that do not exist (member contract 1.1.0, 1.3.1).",
    };
  }
  const codes = [...new Set((asked.body?.errors ?? []).map(codeOf).filter(Boolean))];
  // A member that refuses learners altogether keeps records safe but serves its learners nothing: say so.
  const ownNote = data?.['own'] ? '' : ' (note: the learner could not read their own account either)';
  return { outcome: 'passed', reason: `${what}: refused (${codes.join(', ') || 'null'})${ownNote}.` };
}

const UPTAKE_FIELDS = UPTAKE_COUNTS.join(' ');
const UPTAKE_QUERY = /* GraphQL */ `
  query MemberCheckUptake {
    institutions { id uptake { ${UPTAKE_FIELDS} } }
    offerings(first: 100) { nodes { id title uptake { ${UPTAKE_FIELDS} } } }
  }
`;

/** As an analyst, read the uptake of the member and of the first page of its catalogue: no published count may be 1 to k-1. */
async function probeSmallCounts(send: Send, tokens: ProbeTokens, smallestShown: number): Promise<Omit<ProbeResult, 'probe'>> {
  const analyst: Principal = { kind: 'user', subject: CHECKER, roles: ['analyst'] };
  const answer = await send(UPTAKE_QUERY, await tokens.valid(analyst));
  const institutions = (answer.body?.data?.['institutions'] as { id: string; uptake: Uptake | null }[] | null | undefined) ?? [];
  const offerings = (answer.body?.data?.['offerings'] as { nodes?: { id: string; title: string; uptake: Uptake | null }[] } | null | undefined)?.nodes ?? [];
  // Offerings first: the reason names the first few findings, and an offering's figure is the easier one to trace.
  const cells = [
    ...offerings.map((offering) => ({ label: `${offering.id} "${offering.title}"`, uptake: offering.uptake })),
    ...institutions.map((institution) => ({ label: `${institution.id} (whole catalogue)`, uptake: institution.uptake })),
  ];
  const served = cells.filter((cell) => cell.uptake);
  if (served.length === 0) {
    return {
      outcome: 'failed',
      reason: `an analyst got no uptake figures (${answer.body?.errors?.[0]?.message ?? described(answer)}).`,
      fix: 'Serve Institution.uptake and LearningOpportunity.uptake to analysts (counts only, small ones withheld), as the contract says.',
    };
  }
  const small = (count: number) => count > 0 && count < smallestShown;
  const findings: string[] = [];
  for (const { label, uptake } of served) {
    for (const kind of UPTAKE_COUNTS) {
      const count = uptake?.[kind];
      if (typeof count === 'number' && small(count)) findings.push(`${label} ${kind} = ${count}`);
    }
    // Failures are assessed minus passed: both shown, they publish that count too.
    const { assessed, passed } = uptake ?? {};
    if (typeof assessed === 'number' && typeof passed === 'number' && small(assessed - passed)) findings.push(`${label} failed = assessed ${assessed} - passed ${passed} = ${assessed - passed}`);
  }
  const scope = `${served.length} figure set(s): the member total and ${offerings.length} offering(s) of the first page`;
  if (findings.length > 0) {
    const shown = findings.slice(0, 3).join('; ');
    return {
      outcome: 'failed',
      reason: `${findings.length} published count(s) from 1 to ${smallestShown - 1} in ${scope}: ${shown}${findings.length > 3 ? `; and ${findings.length - 3} more` : ''}.`,
      fix: `Withhold (null) every count from 1 to ${smallestShown - 1}, and \`passed\` when the failures it implies are that few (the contract's Uptake type).`,
    };
  }
  return { outcome: 'passed', reason: `no count from 1 to ${smallestShown - 1} published in ${scope}.` };
}
