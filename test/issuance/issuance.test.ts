import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { createHttpClient, type HttpClient } from '../../lib/http-client.js';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openIssuanceDatabase } from '../../subgraphs/issuance/database.js';
import { CohortJobs } from '../../subgraphs/issuance/cohort.js';
import { storeCredentials } from '../../subgraphs/issuance/issue.js';
import { addIssuerKey, loadIssuerKeys } from '../../subgraphs/issuance/keys.js';
import { createSealPool } from '../../subgraphs/issuance/seal-pool.js';
import { readUnverified } from '../../subgraphs/issuance/seal.js';
import { createVerifyPool } from '../../subgraphs/issuance/verify-pool.js';
import { IssuedCredential } from '../../subgraphs/issuance/records.js';
import { syncRegister, TrustRegister } from '../../subgraphs/issuance/register.js';
import { allianceIssuer, readEdcContext } from '../../subgraphs/issuance/server.js';
import { readAchievementFacts, type AchievementFacts, type FactSources } from '../../subgraphs/issuance/sources.js';
import { StatusLists } from '../../subgraphs/issuance/statuses.js';
import { verifyCredential } from '../../subgraphs/issuance/verify.js';
import { exportJWK, generateKeyPair, SignJWT, CompactSign, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { createCredentialValidator } from '../../subgraphs/issuance/schemas.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { authorityOf, catalogues, everyone, passed } from './demo-achievements.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Issuing, sealing, verifying and revoking through the gateway, as the portal,
 * a member's staff and an outside verifier do: the acceptance of
 * "Tamper-proof micro-credentials".
 */

let hub: TestHub;
const validator = createCredentialValidator({ allowBitstringStatusList: true });
const strict = createCredentialValidator();
const pick = (predicate: (item: (typeof passed)[number]) => boolean) => passed.find(predicate) as (typeof passed)[number];

const ISSUE = /* GraphQL */ `
  mutation ($input: IssueCredentialInput!, $key: String) {
    issueCredential(input: $input, idempotencyKey: $key) { created basis credential { id kind status vcJwt jsonLd keyId title } }
  }
`;
const VERIFY = /* GraphQL */ `query ($credential: String!) { verifyCredential(credential: $credential) { verified format issuer checks { check passed reason } } }`;

const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const publicBase = () => hub.gatewayUrl.replace(/\/graphql$/, '');
const check = (result: { checks: { check: string; passed: boolean; reason: string }[] }, name: string) => result.checks.find((item) => item.check === name);

async function issue(item: (typeof passed)[number], kind = 'MICRO_CREDENTIAL', key?: string, headers?: Record<string, string>) {
  return hub.query(ISSUE, { input: { achievementId: item.achievement.id, kind }, ...(key ? { key } : {}) }, headers ?? (await asLearner(hub.hub, item.learnerId)));
}

async function verifyOverHttp(body: unknown, contentType = 'application/json') {
  const response = await fetch(`${publicBase()}/credentials/verify`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('issuing a micro-credential', () => {
  const full = () => pick((item) => authorityOf(item.memberId) === 'FULL' && item.offering.creditBearing);

  it('returns a vc+jwt that Node crypto verifies with the published key set, valid against the W3C and EBSI schemas', async () => {
    const { body } = await issue(full());
    expect(body.errors).toBeUndefined();
    const payload = body.data?.['issueCredential'];
    expect(payload).toMatchObject({ created: true, basis: 'MEMBER_AUTHORITY', credential: { kind: 'MICRO_CREDENTIAL', status: 'ACTIVE' } });
    const jwt = payload.credential.vcJwt as string;
    const [headerPart, payloadPart, signaturePart] = jwt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as Record<string, string>;
    expect(header).toMatchObject({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: payload.credential.keyId });

    // An implementation independent of jose: the key from the published JWKS, the signature checked by Node's crypto.
    const jwks = (await (await fetch(`${publicBase()}/issuers/eciu/jwks.json`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const jwk = jwks.keys.find((key) => key.kid === header['kid']);
    expect(jwk).toBeDefined();
    expect(jwk).not.toHaveProperty('d');
    const valid = cryptoVerify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signaturePart, 'base64url'));
    expect(valid).toBe(true);

    const credential = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Record<string, any>;
    expect(credential['@context']).toEqual(expect.arrayContaining(['https://www.w3.org/ns/credentials/v2']));
    expect(credential['type']).toEqual(expect.arrayContaining(['VerifiableCredential', 'EuropeanDigitalCredential']));
    expect(validator.validate(credential)).toMatchObject({ valid: true, errors: [], w3c: true, ebsi: true });
    // As published, the EBSI schema admits only its own status types: the Bitstring Status List entries are the one thing it refuses.
    const asPublished = strict.validate(credential);
    expect(asPublished.w3c).toBe(true);
    expect(asPublished.errors.length).toBeGreaterThan(0);
    for (const error of asPublished.errors) expect(error).toMatch(/^EBSI \/credentialStatus\/\d+\/type: /);
    expect(JSON.parse(payload.credential.jsonLd)).toEqual(credential);
    // The ESCO skills the assessment showed are in it.
    for (const skill of full().achievement.skills) expect(JSON.stringify(credential)).toContain(skill.skillUri);
  });

  it('verifies what it issued, in the graph and over HTTP, every check passing', async () => {
    const { body } = await issue(full());
    const jwt = body.data?.['issueCredential'].credential.vcJwt as string;
    const graph = await hub.query(VERIFY, { credential: jwt });
    expect(graph.body.data?.['verifyCredential']).toMatchObject({ verified: true, format: 'vc+jwt' });
    expect(graph.body.data?.['verifyCredential'].checks.map((item: { check: string }) => item.check)).toEqual(['signature', 'trustedIssuer', 'authority', 'revocation', 'suspension', 'validity', 'schema']);
    const http = await verifyOverHttp({ verifiableCredential: jwt });
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({ verified: true, errors: [] });
    const raw = await verifyOverHttp(jwt, 'application/vc+jwt');
    expect(raw.body['verified']).toBe(true);
  });

  it('issues at most one per achievement and kind, and an Idempotency-Key returns the same credential', async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'MICRO_CREDENTIALS_ONLY' && candidate.learnerId !== full().learnerId);
    const key = `retry-${item.achievement.id.replace(/[^A-Za-z0-9]/g, '')}`;
    const first = await issue(item, 'MICRO_CREDENTIAL', key);
    const again = await issue(item, 'MICRO_CREDENTIAL', key);
    expect(first.body.data?.['issueCredential'].created).toBe(true);
    expect(again.body.data?.['issueCredential']).toMatchObject({ created: false });
    expect(again.body.data?.['issueCredential'].credential.id).toBe(first.body.data?.['issueCredential'].credential.id);
    // The same key for a different request is refused; a request without the key still gets the one credential.
    const other = await issue(item, 'PARTICIPATION', key);
    expect(codes(other.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const header = await hub.query(ISSUE, { input: { achievementId: item.achievement.id, kind: 'MICRO_CREDENTIAL' } }, { ...(await asLearner(hub.hub, item.learnerId)), 'idempotency-key': `${key}-header` });
    expect(header.body.data?.['issueCredential'].credential.id).toBe(first.body.data?.['issueCredential'].credential.id);
    // Concurrent requests race for the database's unique constraint: one credential.
    const racing = await Promise.all(Array.from({ length: 5 }, () => issue(item, 'PARTICIPATION')));
    const ids = new Set(racing.map((result) => result.body.data?.['issueCredential']?.credential.id));
    expect(ids.size).toBe(1);
    expect(racing.filter((result) => result.body.data?.['issueCredential']?.created).length).toBe(1);
  });

  it('refuses a credit-bearing credential from a member at level NONE without external accreditation, and issues it with the record', async () => {
    const without = pick((item) => authorityOf(item.memberId) === 'NONE' && item.offering.creditBearing && !item.offering.accreditationReference);
    const refused = await issue(without);
    expect(codes(refused.body)).toEqual(['NOT_ISSUABLE']);
    expect(refused.body.errors?.[0]?.message).toMatch(/accreditation authority NONE.*no external accreditation record/);
    // A certificate of participation may still be issued, and says so.
    const participation = await issue(without, 'PARTICIPATION');
    expect(participation.body.data?.['issueCredential']).toMatchObject({ created: true, basis: 'PARTICIPATION', credential: { kind: 'PARTICIPATION' } });
    expect(participation.body.data?.['issueCredential'].credential.jsonLd).toMatch(/participation/i);

    const accredited = pick(
      (item) =>
        authorityOf(item.memberId) === 'NONE' &&
        item.offering.creditBearing &&
        item.offering.accreditationReference !== null &&
        (item.offering.accreditationDecidedOn ?? '') <= item.achievement.assessedOn &&
        (item.offering.accreditationValidUntil === null || item.offering.accreditationValidUntil >= item.achievement.assessedOn),
    );
    const issued = await issue(accredited);
    expect(issued.body.errors).toBeUndefined();
    expect(issued.body.data?.['issueCredential']).toMatchObject({ created: true, basis: 'EXTERNAL_ACCREDITATION' });
  });

  it('lets only the learner or staff of the awarding member have one issued', async () => {
    const item = full();
    const other = everyone.find((learner) => learner.id !== item.learnerId) as { id: string };
    expect(codes((await issue(item, 'MICRO_CREDENTIAL', undefined, await asLearner(hub.hub, other.id))).body)).toEqual(['FORBIDDEN']);
    expect(codes((await issue(item, 'MICRO_CREDENTIAL', undefined, await bearer(hub.hub, { role: 'analyst' }))).body)).toEqual(['FORBIDDEN']);
    const anonymous = await hub.query(ISSUE, { input: { achievementId: item.achievement.id, kind: 'MICRO_CREDENTIAL' } });
    expect(anonymous.status).toBe(401);
    const staff = await issue(item, 'MICRO_CREDENTIAL', undefined, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
    expect(staff.body.data?.['issueCredential'].created).toBe(false);
  });

  it("shows the learner's wallet in the graph", async () => {
    const item = full();
    const { body } = await hub.query(
      `query ($id: ID!) { learner(id: $id) { credentials { id kind status title awardingBody { id name } } } }`,
      { id: item.learnerId },
      await asLearner(hub.hub, item.learnerId),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.['learner'].credentials).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'MICRO_CREDENTIAL', status: 'ACTIVE', awardingBody: { id: item.memberId, name: memberProfile(item.memberId)?.name } })]));
  });
});

describe('revocation and suspension', () => {
  it('fails verification with reason "revoked" on the very next request, and the published status list says so', async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'FULL' && candidate.offering.creditBearing && candidate.learnerId !== passed[0]?.learnerId);
    const issued = (await issue(item)).body.data?.['issueCredential'].credential as { id: string; vcJwt: string };
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId });
    const revoked = await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Assessment found to be plagiarised.") { status revocation { reason by } } }`, { id: issued.id }, staff);
    expect(revoked.body.data?.['revokeCredential']).toMatchObject({ status: 'REVOKED', revocation: { reason: 'Assessment found to be plagiarised.' } });
    expect(revoked.body.data?.['revokeCredential'].revocation.by).toEqual(expect.any(String));
    const after = await verifyOverHttp({ verifiableCredential: issued.vcJwt });
    expect(after.body['verified']).toBe(false);
    expect(check(after.body as never, 'revocation')).toEqual({ check: 'revocation', passed: false, reason: 'revoked' });

    // The list itself, decoded by an independent implementation.
    const credential = JSON.parse(Buffer.from(issued.vcJwt.split('.')[1] as string, 'base64url').toString('utf8')) as { credentialStatus: { statusPurpose: string; statusListIndex: string; statusListCredential: string }[] };
    const entry = credential.credentialStatus.find((status) => status.statusPurpose === 'revocation') as { statusListIndex: string; statusListCredential: string };
    const listJwt = await (await fetch(entry.statusListCredential)).text();
    const list = JSON.parse(Buffer.from(listJwt.split('.')[1] as string, 'base64url').toString('utf8')) as { credentialSubject: { encodedList: string; statusPurpose: string } };
    expect(list.credentialSubject.statusPurpose).toBe('revocation');
    // A sealed list is valid for a day only, so an old copy cannot be passed off as current for long.
    const hours = (Date.parse((list as unknown as { validUntil: string }).validUntil) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThanOrEqual(24);
    // The reference implementation ships no types; loaded dynamically, typed here by what the test uses.
    const reference = (await import('@digitalbazaar/vc-bitstring-status-list' as string)) as { decodeList(options: { encodedList: string }): Promise<{ getStatus(index: number): boolean }> };
    const decoded = await reference.decodeList({ encodedList: list.credentialSubject.encodedList });
    expect(decoded.getStatus(Number(entry.statusListIndex))).toBe(true);
    expect(decoded.getStatus(Number(entry.statusListIndex) + 1)).toBe(false);
  });

  it('fails while suspended and passes again when resumed', async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'MICRO_CREDENTIALS_ONLY' && candidate.offering.creditBearing);
    const issued = (await issue(item)).body.data?.['issueCredential'].credential as { id: string; vcJwt: string };
    const admin = await bearer(hub.hub, { role: 'alliance-admin' });
    const suspend = await hub.query(`mutation ($id: ID!) { suspendCredential(id: $id, reason: "Under investigation.") { status } }`, { id: issued.id }, admin);
    expect(suspend.body.data?.['suspendCredential']).toEqual({ status: 'SUSPENDED' });
    const suspended = await verifyOverHttp({ verifiableCredential: issued.vcJwt });
    expect(check(suspended.body as never, 'suspension')).toEqual({ check: 'suspension', passed: false, reason: 'suspended' });
    const resume = await hub.query(`mutation ($id: ID!) { resumeCredential(id: $id, reason: "Cleared.") { status } }`, { id: issued.id }, admin);
    expect(resume.body.data?.['resumeCredential']).toEqual({ status: 'ACTIVE' });
    expect((await verifyOverHttp({ verifiableCredential: issued.vcJwt })).body['verified']).toBe(true);
  });

  it('refuses a reason it could not show the learner, and an unknown credential, changing nothing', async () => {
    // A credential no other test changes: a participation certificate at a member no other test issues for.
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'SEMI_PREQUALIFIED');
    const issued = (await issue(item, 'PARTICIPATION')).body.data?.['issueCredential'].credential as { id: string };
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId });
    for (const reason of ['no', 'line one\nline two', 'x'.repeat(501)]) {
      const { body } = await hub.query(`mutation ($id: ID!, $reason: String!) { revokeCredential(id: $id, reason: $reason) { status } }`, { id: issued.id, reason }, staff);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reason' });
    }
    const unknown = await hub.query(`mutation { revokeCredential(id: "urn:uuid:00000000-0000-4000-8000-000000000000", reason: "Not ours.") { status } }`, {}, staff);
    // Refused like a credential of another member (asking reveals no ids); administrators, who may change any, are told it is not there.
    expect(codes(unknown.body)).toEqual(['FORBIDDEN']);
    const forAdmin = await hub.query(`mutation { revokeCredential(id: "urn:uuid:00000000-0000-4000-8000-000000000000", reason: "Not ours.") { status } }`, {}, await bearer(hub.hub, { role: 'alliance-admin' }));
    expect(codes(forAdmin.body)).toEqual(['NOT_FOUND']);
    const still = await hub.query(`query ($id: ID!) { credential(id: $id) { status } }`, { id: issued.id }, staff);
    expect(still.body.data?.['credential']).toEqual({ status: 'ACTIVE' });
  });

  it('lets only staff of the awarding member and administrators change a status', async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'FULL' && candidate.offering.creditBearing);
    const issued = (await issue(item)).body.data?.['issueCredential'].credential as { id: string };
    const other = ['tuni.fi', 'dcu.ie', 'uis.no'].find((memberId) => memberId !== item.memberId) as string;
    for (const headers of [await asLearner(hub.hub, item.learnerId), await bearer(hub.hub, { role: 'member-staff', memberId: other })]) {
      const result = await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "No reason at all.") { status } }`, { id: issued.id }, headers);
      expect(codes(result.body)).toEqual(['FORBIDDEN']);
    }
  });
});

describe('verification refuses what it must, with the right reason', () => {
  let jwt: string;
  beforeAll(async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'FULL' && candidate.offering.creditBearing);
    jwt = (await issue(item)).body.data?.['issueCredential'].credential.vcJwt as string;
  });
  const verify = async (credential: string) => (await hub.query(VERIFY, { credential })).body.data?.['verifyCredential'] as { verified: boolean; checks: { check: string; passed: boolean; reason: string }[] };

  it('a tampered payload', async () => {
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const credential = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, any>;
    credential['validUntil'] = '2099-01-01T00:00:00Z';
    const result = await verify(`${header}.${Buffer.from(JSON.stringify(credential)).toString('base64url')}.${signature}`);
    expect(result.verified).toBe(false);
    expect(check(result, 'signature')).toMatchObject({ passed: false, reason: 'the signature does not match the credential' });
  });

  it('a credential sealed with the alliance key that awards credit for a member without the authority (the accreditation rule)', async () => {
    const full = pick((candidate) => authorityOf(candidate.memberId) === 'FULL' && candidate.offering.creditBearing);
    const none = pick((candidate) => authorityOf(candidate.memberId) === 'NONE' && candidate.offering.creditBearing && !candidate.offering.accreditationReference);
    const keys = await loadIssuerKeys(join(hub.dataDir, 'keys', 'issuer'), { create: false });
    const genuine = JSON.stringify(readUnverified(jwt).credential);
    expect(genuine).toContain(`urn:eciu:member:${full.memberId}`);
    // Everything else as issued: only the awarding body and its offering are another member's.
    const forged = JSON.parse(genuine.replaceAll(`urn:eciu:member:${full.memberId}`, `urn:eciu:member:${none.memberId}`).replaceAll(`"notation":"${full.offering.id}"`, `"notation":"${none.offering.id}"`)) as Record<string, unknown>;
    const sealed = await new CompactSign(Buffer.from(JSON.stringify(forged))).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: keys.current.kid }).sign(keys.signingKey);
    const result = await verify(sealed);
    expect(result.verified).toBe(false);
    // The seal and the register hold (it is the alliance's key); only the rule refuses it.
    expect(check(result, 'signature')?.passed).toBe(true);
    expect(check(result, 'trustedIssuer')?.passed).toBe(true);
    expect(check(result, 'authority')?.passed).toBe(false);
    expect(check(result, 'authority')?.reason).toMatch(/accreditation authority NONE\) may not approve credit-bearing micro-credentials on its own/);
    // The genuine one passes the same check, saying why.
    expect(check(await verify(jwt), 'authority')).toMatchObject({ passed: true, reason: expect.stringMatching(/may approve micro-credentials \(FULL\)/) });
  });

  it('a wrong key claiming a known kid', async () => {
    const [header, payload] = jwt.split('.') as [string, string];
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new CompactSign(Buffer.from(payload, 'base64url')).setProtectedHeader(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).sign(privateKey);
    expect(check(await verify(forged), 'signature')).toMatchObject({ passed: false, reason: 'the signature does not match the credential' });
  });

  it('an issuer the alliance does not trust', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, any>;
    const forged = await new CompactSign(Buffer.from(JSON.stringify({ ...payload, issuer: { ...payload['issuer'], id: 'https://diploma-mill.example' } })))
      .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: 'unknown-key' })
      .sign(privateKey);
    const result = await verify(forged);
    expect(result.verified).toBe(false);
    expect(check(result, 'signature')?.reason).toMatch(/not one this hub knows/);
    void publicKey;
  });

  it('alg none and HS256 signed with the public key (algorithm confusion)', async () => {
    const [, payload] = jwt.split('.') as [string, string];
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'vc+jwt', kid: 'x' })).toString('base64url');
    // As alg "none" is written (an empty signature): not a vc+jwt at all.
    const unsigned = await hub.query(VERIFY, { credential: `${noneHeader}.${payload}.` });
    expect(unsigned.body.data?.['verifyCredential'] ?? null).toBeNull();
    expect(codes(unsigned.body)).toEqual(['BAD_USER_INPUT']);
    // With something in the signature's place: the algorithm is refused by name.
    const none = await verify(`${noneHeader}.${payload}.AAAA`);
    expect(none.verified).toBe(false);
    expect(check(none, 'signature')).toMatchObject({ passed: false, reason: 'its signing algorithm "none" is not accepted' });
    const jwks = (await (await fetch(`${publicBase()}/issuers/eciu/jwks.json`)).json()) as { keys: { kid: string }[] };
    const kid = jwks.keys[0]?.kid as string;
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const confused = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>)
      .setProtectedHeader({ alg: 'HS256', typ: 'vc+jwt', kid })
      .sign(secret);
    expect(check(await verify(confused), 'signature')).toMatchObject({ passed: false, reason: 'its signing algorithm "HS256" is not accepted' });
    void exportJWK;
    void importJWK;
  });

  it('the official EDC JAdES sample: cryptographically valid, not from a trusted issuer', async () => {
    const sample = readFileSync(new URL('../../../shared/credentials/edc-sample-microcredential-annex1-signed-jades.json', import.meta.url), 'utf8');
    const { status, body } = await verifyOverHttp({ verifiableCredential: JSON.parse(sample) as unknown });
    expect(status).toBe(200);
    expect(body['verified']).toBe(false);
    expect(body['format']).toBe('jades');
    expect(check(body as never, 'signature')?.passed).toBe(true);
    expect(check(body as never, 'trustedIssuer')).toMatchObject({ passed: false, reason: expect.stringMatching(/not in the alliance's register of trusted issuers/) });
  });

  it('answers malformed input over HTTP with 400 and something that is not a credential with 422', async () => {
    const broken = await fetch(`${publicBase()}/credentials/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"verifiableCredential": ' });
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toMatch(/at .*\.ts:\d+|node_modules/);
    expect((await verifyOverHttp({})).status).toBe(400);
    const notCredential = await verifyOverHttp({ verifiableCredential: 'hello world' });
    expect(notCredential.status).toBe(422);
    expect(notCredential.body['errors'][0].extensions.code).toBe('UNPROCESSABLE_CREDENTIAL');
    const unsigned = await verifyOverHttp({ verifiableCredential: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'] } });
    expect(unsigned.status).toBe(422);
    expect(unsigned.body['errors'][0]).toMatchObject({ extensions: { code: 'UNPROCESSABLE_CREDENTIAL' }, message: expect.stringMatching(/JSON without a signature/) });
  });
});

describe('the public routes the gateway passes through', () => {
  it('reach only the issuance service\'s public routes, whatever the path says', async () => {
    // Sent as-is (fetch would resolve the dots itself, as curl does without --path-as-is).
    const rawGet = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(publicBase());
        const request = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    for (const path of ['/credentials/%2e%2e/graphql', '/credentials/%2e%2e/readyz', '/credentials/../readyz', '/credentials/..%2fgraphql', '/issuers/%2E%2E/healthz']) {
      expect(await rawGet(path), path).toBe(404);
    }
    expect((await fetch(`${publicBase()}/issuers/eciu/jwks.json`)).status).toBe(200);
  });

  it("serve the credentials' JSON-LD context at the URL they name, for processors to cache", async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'FULL' && candidate.offering.creditBearing);
    const jwt = (await issue(item)).body.data?.['issueCredential'].credential.vcJwt as string;
    const url = (readUnverified(jwt).credential?.['@context'] as string[])[1] as string;
    expect(url.startsWith(`${publicBase()}/issuers/eciu/contexts/`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(response.headers.get('cache-control')).toMatch(/immutable/);
    expect(await response.json()).toEqual(JSON.parse(readEdcContext()));
  });

  it('serve only the status lists that exist', async () => {
    const list = await fetch(`${publicBase()}/credentials/status/revocation/0`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/vc\+jwt/);
    const listCredential = JSON.parse(Buffer.from((await list.text()).split('.')[1] as string, 'base64url').toString('utf8')) as { type: string[]; credentialSubject: { statusPurpose: string } };
    expect(listCredential).toMatchObject({ type: expect.arrayContaining(['BitstringStatusListCredential']), credentialSubject: { statusPurpose: 'revocation' } });
    expect((await fetch(`${publicBase()}/credentials/status/revocation/5`)).status).toBe(404);
    expect((await fetch(`${publicBase()}/credentials/status/other/0`)).status).toBe(404);
  });
});

describe('the register of trusted issuers', () => {
  it('lists the alliance with its keys and every member, without a token', async () => {
    const { body } = await hub.query(`{ trustedIssuers { id name role member { id } validFrom validUntil keys { kid validFrom } } }`);
    expect(body.errors).toBeUndefined();
    const issuers = body.data?.['trustedIssuers'] as { role: string; keys: unknown[]; member: { id: string } | null }[];
    expect(issuers.filter((issuer) => issuer.role === 'ALLIANCE')).toHaveLength(1);
    expect(issuers.find((issuer) => issuer.role === 'ALLIANCE')?.keys.length).toBeGreaterThan(0);
    expect(issuers.filter((issuer) => issuer.role === 'MEMBER').map((issuer) => issuer.member?.id).sort()).toEqual([...catalogues.keys()].sort());
  });
});

describe('bulk issuance for a cohort', () => {
  const JOB = /* GraphQL */ `query ($id: ID!) { issuanceJob(id: $id) { id status total issued alreadyIssued refused problems { achievementId reason } failure finishedAt } }`;

  async function finished(id: string, headers: Record<string, string>) {
    for (let round = 0; round < 200; round += 1) {
      const job = (await hub.query(JOB, { id }, headers)).body.data?.['issuanceJob'];
      if (job.status !== 'RUNNING') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the job did not finish');
  }

  /** The cohort series of the issuance service's /metrics, by name (without hub_issuance_cohort_ and the service label). */
  async function cohortMetrics(): Promise<Record<string, number>> {
    const text = await (await fetch(new URL('/metrics', hub.hub.urls.issuance))).text();
    const found: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const match = /^hub_issuance_cohort_(\w+?)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) continue;
      const labels = (match[2] ?? '').split(',').filter((label) => !label.startsWith('service=')).join(',');
      found[`${match[1]}${labels ? `{${labels}}` : ''}`] = Number(match[3]);
    }
    return found;
  }

  it("issues every passed achievement of an offering once, reports progress, and a second run issues nothing new", async () => {
    // The offering of a member at level FULL with the most passed achievements among the test learners.
    const counts = new Map<string, number>();
    for (const item of passed) if (authorityOf(item.memberId) === 'FULL' && item.offering.creditBearing) counts.set(item.offering.id, (counts.get(item.offering.id) ?? 0) + 1);
    const [offeringId, expected] = [...counts].sort((a, b) => b[1] - a[1])[0] as [string, number];
    const memberId = offeringId.slice(0, offeringId.indexOf(':'));
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId });
    const before = await cohortMetrics();
    const started = await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id) { id status } }`, { id: offeringId }, staff);
    expect(started.body.errors).toBeUndefined();
    const job = await finished(started.body.data?.['issueCohort'].id, staff);
    expect(job).toMatchObject({ status: 'COMPLETED', total: expected, refused: 0, failure: null });
    expect(job.issued + job.alreadyIssued).toBe(expected);

    const again = await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id) { id } }`, { id: offeringId }, staff);
    const second = await finished(again.body.data?.['issueCohort'].id, staff);
    expect(second).toMatchObject({ status: 'COMPLETED', issued: 0, alreadyIssued: expected });
    // The operator's view of the same two runs (GET /metrics on the issuance service): progress and throughput.
    const after = await cohortMetrics();
    expect(after['jobs_total{state="completed"}']! - (before['jobs_total{state="completed"}'] ?? 0)).toBe(2);
    expect(after['credentials_total{result="issued"}']! - (before['credentials_total{result="issued"}'] ?? 0)).toBe(job.issued);
    expect(after['credentials_total{result="already_issued"}']! - (before['credentials_total{result="already_issued"}'] ?? 0)).toBe(job.alreadyIssued + expected);
    expect(after['jobs_running']).toBe(0);

    // Each of those achievements has exactly one credential of the kind.
    const wallets = new Map<string, string[]>();
    for (const item of passed.filter((candidate) => candidate.offering.id === offeringId)) {
      const { body } = await hub.query(`query ($id: ID!) { learner(id: $id) { credentials { id kind title } } }`, { id: item.learnerId }, staff);
      wallets.set(item.learnerId, (body.data?.['learner'].credentials as { title: string; kind: string }[]).filter((credential) => credential.title === item.offering.title && credential.kind === 'MICRO_CREDENTIAL').map((credential) => credential.title));
    }
    for (const titles of wallets.values()) expect(titles).toHaveLength(1);
  });

  it("refuses other members' staff, learners and anonymous callers", async () => {
    const item = pick((candidate) => authorityOf(candidate.memberId) === 'FULL');
    const otherMember = ['tuni.fi', 'dcu.ie', 'uis.no'].find((memberId) => memberId !== item.memberId) as string;
    for (const headers of [await bearer(hub.hub, { role: 'member-staff', memberId: otherMember }), await asLearner(hub.hub, item.learnerId)]) {
      const { body } = await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id) { id } }`, { id: item.offering.id }, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    expect((await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id) { id } }`, { id: item.offering.id })).status).toBe(401);
  });

  it('reports the achievements the accreditation rule refuses, with the reason', async () => {
    const without = pick((item) => authorityOf(item.memberId) === 'NONE' && item.offering.creditBearing && !item.offering.accreditationReference);
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: without.memberId });
    const started = await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id) { id } }`, { id: without.offering.id }, staff);
    const job = await finished(started.body.data?.['issueCohort'].id, staff);
    expect(job.status).toBe('COMPLETED');
    expect(job.refused).toBeGreaterThan(0);
    expect(job.problems[0].reason).toMatch(/no external accreditation record/);
  });
});

describe('storing and sealing', () => {
  let dir: string;
  let orm: MikroORM;
  let sources: FactSources;
  let client: HttpClient;
  const items = () => passed.filter((item) => authorityOf(item.memberId) === 'FULL').slice(0, 3);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'issuance-store-'));
    orm = await openIssuanceDatabase({ kind: 'sqlite', location: join(dir, 'issuance.sqlite') });
    client = createHttpClient();
    sources = { client, signer: hub.hub.hubSigner, membersUrl: hub.hub.urls.members, escoUrl: hub.hub.urls.esco, timeoutMs: 5_000 };
  });
  afterAll(async () => {
    await client?.close();
    await orm?.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  async function factsOf(list: (typeof passed)[number][]): Promise<AchievementFacts[]> {
    const read = await readAchievementFacts(sources, { kind: 'user', subject: 'staff', roles: ['member-staff'], memberId: list[0]?.memberId as string }, list.map((item) => item.achievement.id));
    return list.map((item) => read.get(item.achievement.id) as AchievementFacts);
  }

  it('stores a batch all or nothing: a failure in the middle leaves nothing issued, and the retry issues each once', async () => {
    const sameMember = passed.filter((item) => item.memberId === (items()[0] as (typeof passed)[number]).memberId).slice(0, 3);
    const facts = await factsOf(sameMember);
    const keys = await loadIssuerKeys(join(dir, 'keys'), { create: true });
    const dependencies = { sources, keys, issuer: allianceIssuer('https://hub.example') };
    const prepared = facts.map((found, index) => ({ facts: found, request: { achievementId: sameMember[index]?.achievement.id as string, kind: 'MICRO_CREDENTIAL' as const }, idempotency: null }));
    // The third credential cannot be written (a country the writer does not know): the crash comes after two were sealed.
    const broken = { ...prepared[2]!, facts: { ...prepared[2]!.facts, awardingBody: { ...prepared[2]!.facts.awardingBody, country: 'XX' } } };
    await expect(storeCredentials(orm.em.fork() as SqlEntityManager, dependencies, [prepared[0]!, prepared[1]!, broken], 'staff')).rejects.toThrow(/XX/);
    expect(await orm.em.fork().count(IssuedCredential, {})).toBe(0);
    await storeCredentials(orm.em.fork() as SqlEntityManager, dependencies, prepared, 'staff');
    // A second run cannot issue any of them again: the database refuses.
    await expect(storeCredentials(orm.em.fork() as SqlEntityManager, dependencies, prepared.slice(0, 1), 'staff')).rejects.toThrow(/UNIQUE|unique/);
    const rows = await orm.em.fork().find(IssuedCredential, {}, { orderBy: { serial: 'asc' } });
    expect(rows.map((row) => row.achievementId).sort()).toEqual(sameMember.map((item) => item.achievement.id).sort());
    // The failed batch's reserved serials stay unused (status-list bits nobody names); the retry's are the next ones.
    expect(rows.map((row) => row.serial)).toEqual([4, 5, 6]);
  });

  it('seals a bulk batch on worker threads exactly as inline, in order', async () => {
    const [facts] = await factsOf(passed.filter((item) => item.memberId === 'uis.no').slice(0, 1));
    const keys = await loadIssuerKeys(join(dir, 'pool-keys'), { create: true });
    const issuer = allianceIssuer('https://hub.example');
    const pool = createSealPool(2, { privateKeyPath: keys.privateKeyPath, kid: keys.current.kid });
    try {
      const batch = Array.from({ length: 40 }, (_, index) => ({ facts: facts!, request: { achievementId: `uis.no:pool-${index}`, kind: 'PARTICIPATION' as const }, idempotency: null }));
      const rows = await storeCredentials(orm.em.fork() as SqlEntityManager, { sources, keys, issuer, pool }, batch, 'staff');
      await syncRegister(orm, issuer, keys, []);
      const deps = { register: new TrustRegister(orm), keys, issuer, statuses: new StatusLists(orm, issuer, keys), validator };
      for (const [index, row] of rows.entries()) {
        const result = await verifyCredential(row.jwt, deps);
        expect(result.checks.filter((item) => !item.passed)).toEqual([]);
        // Each credential names its own id and its own place in the status lists.
        expect(result.credentialId).toBe(row.id);
        const status = (readUnverified(row.jwt).credential?.['credentialStatus'] as { statusListIndex: string }[])[0];
        expect(Number(status?.statusListIndex)).toBe(row.serial - 1);
        expect(row.achievementId).toBe(`uis.no:pool-${index}`);
      }
    } finally {
      await pool.close();
    }
  });

  it('verifies on worker threads exactly as inline: good, tampered, foreign, unknown, alg none, schema-invalid', async () => {
    const [facts] = await factsOf(passed.filter((item) => item.memberId === 'tuni.fi').slice(2, 3));
    const keys = await loadIssuerKeys(join(dir, 'verify-pool-keys'), { create: true });
    const issuer = allianceIssuer('https://hub.example');
    const [row] = await storeCredentials(orm.em.fork() as SqlEntityManager, { sources, keys, issuer }, [{ facts: facts!, request: { achievementId: 'tuni.fi:verify-pool', kind: 'PARTICIPATION' }, idempotency: null }], 'staff');
    await syncRegister(orm, issuer, keys, []);
    const jwt = row!.jwt;
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const credential = readUnverified(jwt).credential as Record<string, unknown>;
    const seal = (body: Record<string, unknown>, key = keys.signingKey, kid = keys.current.kid) =>
      new CompactSign(Buffer.from(JSON.stringify(body))).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid }).sign(key);
    const { privateKey: foreignKey } = await generateKeyPair('ES256');
    const { credentialSubject: _dropped, ...withoutSubject } = credential;
    const inputs = {
      good: jwt,
      tampered: `${header}.${Buffer.from(JSON.stringify({ ...credential, validUntil: '2099-01-01T00:00:00Z' })).toString('base64url')}.${signature}`,
      foreignKeyKnownKid: await seal(credential, foreignKey),
      unknownKid: await seal(credential, foreignKey, 'no-such-key'),
      algNone: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'vc+jwt', kid: keys.current.kid })).toString('base64url')}.${payload}.x`,
      schemaInvalid: await seal(withoutSubject),
      expired: await seal({ ...credential, validUntil: '2001-01-01T00:00:00Z' }),
    };
    const inline = { register: new TrustRegister(orm), keys, issuer, statuses: new StatusLists(orm, issuer, keys), validator };
    const pool = createVerifyPool(2, { jwks: [...keys.jwks.keys] });
    try {
      const pooled = { ...inline, pool };
      for (const [name, input] of Object.entries(inputs)) {
        expect(await verifyCredential(input, pooled), name).toEqual(await verifyCredential(input, inline));
      }
      // And the answers are the right ones (equal answers could be equally wrong).
      const failing = async (input: string) => (await verifyCredential(input, pooled)).checks.filter((item) => !item.passed).map((item) => item.check);
      expect(await failing(inputs.good)).toEqual([]);
      expect(await failing(inputs.tampered)).toContain('signature');
      expect(await failing(inputs.foreignKeyKnownKid)).toContain('signature');
      // Without a subject it makes no claim the accreditation rule could allow, either.
      expect(await failing(inputs.schemaInvalid)).toEqual(['authority', 'schema']);
      expect(await failing(inputs.expired)).toEqual(['validity']);
      // Many at once, as the public route gets them: each answer belongs to its own request.
      const many = await Promise.all(Array.from({ length: 40 }, (_, index) => verifyCredential(index % 2 ? inputs.good : inputs.tampered, pooled)));
      expect(many.map((result) => result.verified)).toEqual(Array.from({ length: 40 }, (_, index) => index % 2 === 1));
    } finally {
      await pool.close();
    }
    await expect(pool.check(jwt)).rejects.toThrow(/closed/);
    // A pool that fails costs speed, not answers: verification does the same checks inline.
    expect((await verifyCredential(jwt, { ...inline, pool })).verified).toBe(true);
    expect(await verifyCredential(inputs.tampered, { ...inline, pool })).toEqual(await verifyCredential(inputs.tampered, inline));
  });

  it('issues a cohort of many pages, reading the next page while the last is stored: each achievement once', async () => {
    // The offering with the most passed achievements among the test learners, in pages of two.
    const counts = new Map<string, (typeof passed)[number][]>();
    for (const candidate of passed) counts.set(candidate.offering.id, [...(counts.get(candidate.offering.id) ?? []), candidate]);
    const [offeringId, cohort] = [...counts].sort((a, b) => b[1].length - a[1].length)[0] as [string, (typeof passed)[number][]];
    expect(cohort.length).toBeGreaterThanOrEqual(5);
    const memberId = offeringId.slice(0, offeringId.indexOf(':'));
    const keys = await loadIssuerKeys(join(dir, 'cohort-keys'), { create: true });
    const jobs = new CohortJobs(() => orm.em.fork() as SqlEntityManager, { sources, keys, issuer: allianceIssuer('https://hub.example') }, quietLogger('cohort'), 2);
    const staff = { kind: 'user' as const, subject: `staff@${memberId}`, roles: ['member-staff' as const], memberId };
    const started = await jobs.start(staff, offeringId, 'PARTICIPATION');
    let job = await jobs.get(staff, started.id);
    for (let round = 0; round < 400 && job?.status === 'RUNNING'; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = await jobs.get(staff, started.id);
    }
    expect(job).toMatchObject({ status: 'COMPLETED', total: cohort.length, issued: cohort.length, alreadyIssued: 0, refused: 0, failure: null });
    const rows = await orm.em.fork().find(IssuedCredential, { offeringId, kind: 'PARTICIPATION' });
    expect(rows.map((row) => row.achievementId).sort()).toEqual(cohort.map((item) => item.achievement.id).sort());
  });

  it('seals new credentials with a new key after rotation, and old ones keep verifying', async () => {
    const keysDir = join(dir, 'rotating');
    const issuer = allianceIssuer('https://rotation.example'); // its own register entry, trusted from its first key (a minute ago)
    const [first, second] = await factsOf(passed.filter((item) => item.memberId === 'tuni.fi').slice(0, 2));
    const request = (found: AchievementFacts) => ({ facts: found, request: { achievementId: found.achievement.id, kind: 'PARTICIPATION' as const }, idempotency: null });
    await addIssuerKey(keysDir, new Date(Date.now() - 60_000));
    const oldKeys = await loadIssuerKeys(keysDir, { create: false });
    const [old] = await storeCredentials(orm.em.fork() as SqlEntityManager, { sources, keys: oldKeys, issuer }, [request(first!)], 'staff');
    await addIssuerKey(keysDir);
    const newKeys = await loadIssuerKeys(keysDir, { create: false });
    expect(newKeys.current.kid).not.toBe(oldKeys.current.kid);
    expect(newKeys.jwks.keys.map((key) => key.kid)).toEqual([oldKeys.current.kid, newKeys.current.kid]);
    const [fresh] = await storeCredentials(orm.em.fork() as SqlEntityManager, { sources, keys: newKeys, issuer }, [request(second!)], 'staff');
    expect(fresh?.issuerKid).toBe(newKeys.current.kid);
    await syncRegister(orm, issuer, newKeys, []);
    const deps = { register: new TrustRegister(orm), keys: newKeys, issuer, statuses: new StatusLists(orm, issuer, newKeys), validator };
    for (const credential of [old, fresh]) {
      const result = await verifyCredential(credential?.jwt as string, deps);
      expect(result.checks.filter((item) => !item.passed), credential?.issuerKid).toEqual([]);
    }
    // A copy of the old credential sealed now with the new key (as a wallet's holder-bound copy is) is trusted
    // because it says when it was sealed (`iat`); without that it would claim the new key sealed it at issuance.
    // (Issued half a minute ago, while the old key was in use.)
    const copy = { ...(readUnverified(old?.jwt as string).credential as Record<string, unknown>), validFrom: new Date(Date.now() - 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const reseal = (body: Record<string, unknown>) => new CompactSign(Buffer.from(JSON.stringify(body))).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: newKeys.current.kid }).sign(newKeys.signingKey);
    expect((await verifyCredential(await reseal({ ...copy, iat: Math.floor(Date.now() / 1000) }), deps)).checks.find((item) => item.check === 'trustedIssuer')?.passed).toBe(true);
    expect((await verifyCredential(await reseal(copy), deps)).checks.find((item) => item.check === 'trustedIssuer')).toMatchObject({ passed: false, reason: expect.stringMatching(/was not in use/) });
    // The private key files are readable by their owner only.
    for (const name of readdirSync(keysDir).filter((file) => file.endsWith('.private.jwk'))) expect(statSync(join(keysDir, name)).mode & 0o777).toBe(0o600);
  });
});
