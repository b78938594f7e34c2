import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import * as wallet from '../helpers/wallet.js';
import { all, authorityOf, type PassedAchievement } from './demo-achievements.js';

/*
 * Wallets (issue 15 points 3 and 4), end to end through the gateway: the
 * learner offers credentials from the portal, a wallet written from the
 * OpenID4VCI specification (test/helpers/wallet.ts) receives them bound to its
 * key, and presents them by OpenID4VP to a verifier (role verifier) that asked
 * through the graph; the hub checks and keeps the result.
 */

let hub: TestHub;
const base = () => hub.gatewayUrl.replace(/\/graphql$/, '');
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const credited = all((item) => authorityOf(item.memberId) === 'FULL' && item.offering.creditBearing);
const learnerItems = (learnerId: string) => credited.filter((item) => item.learnerId === learnerId);
// A learner with two passed credit-bearing achievements at a member with full authority.
const learnerId = (credited.find((item) => learnerItems(item.learnerId).length >= 2) as PassedAchievement).learnerId;
const [first, second] = learnerItems(learnerId) as [PassedAchievement, PassedAchievement];
const payloadOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, any>;

const OFFER = /* GraphQL */ `
  mutation ($input: CredentialOfferInput!) {
    createCredentialOffer(input: $input) { id offerUri offerUrl qrCodeSvg transactionCode expiresAt status credentials { achievement { id } kind credentialId deferred deliveredAt holder } }
  }
`;
const OFFER_STATUS = /* GraphQL */ `query ($id: ID!) { credentialOffer(id: $id) { status transactionCode credentials { credentialId deferred deliveredAt holder } } }`;
const ASK = /* GraphQL */ `
  mutation ($input: PresentationRequestInput!) {
    createPresentationRequest(input: $input) { id requestUri qrCodeSvg clientId nonce status refusedAttempts }
  }
`;
const ASKED = /* GraphQL */ `query ($id: ID!) { presentationRequest(id: $id) { status result resultJwt refusedAttempts answeredAt } }`;

async function offer(items: PassedAchievement[], kind = 'MICRO_CREDENTIAL') {
  const { body } = await hub.query(OFFER, { input: { achievementIds: items.map((item) => item.achievement.id), kind } }, await asLearner(hub.hub, learnerId));
  expect(body.errors).toBeUndefined();
  return body.data?.['createCredentialOffer'] as { id: string; offerUri: string; offerUrl: string; qrCodeSvg: string; transactionCode: string; status: string; credentials: { credentialId: string | null; deferred: boolean }[] };
}

async function verifyOverHttp(jwt: string) {
  const response = await fetch(`${base()}/credentials/verify`, { method: 'POST', headers: { 'content-type': 'application/vc+jwt' }, body: jwt });
  return (await response.json()) as { verified: boolean; checks: { check: string; passed: boolean; reason: string }[] };
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('OpenID4VCI: the alliance as issuer', () => {
  it('publishes issuer and authorisation server metadata at the well-known URLs, naming endpoints under the public URL', async () => {
    const issuer = (await (await fetch(`${base()}/.well-known/openid-credential-issuer`)).json()) as Record<string, any>;
    expect(issuer).toMatchObject({ credential_issuer: base(), credential_endpoint: `${base()}/oid4vci/credential`, nonce_endpoint: `${base()}/oid4vci/nonce`, deferred_credential_endpoint: `${base()}/oid4vci/deferred-credential` });
    expect(issuer['credential_configurations_supported']['EuropeanDigitalCredential']).toMatchObject({
      format: 'jwt_vc_json',
      cryptographic_binding_methods_supported: expect.arrayContaining(['did:key', 'jwk']),
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: expect.arrayContaining(['ES256']) } },
      credential_definition: { type: expect.arrayContaining(['VerifiableCredential', 'EuropeanDigitalCredential']) },
    });
    const server = (await (await fetch(`${base()}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>;
    expect(server).toMatchObject({ issuer: base(), token_endpoint: `${base()}/oid4vci/token`, 'pre-authorized_grant_anonymous_access_supported': true });
  });

  it('hands a wallet the offered credentials bound to its key (did:key), after the transaction code, verifiable by anyone', async () => {
    const made = await offer([first, second]);
    expect(made).toMatchObject({ status: 'OFFERED', transactionCode: expect.stringMatching(/^\d{6}$/), offerUri: expect.stringMatching(/^openid-credential-offer:\/\/\?credential_offer_uri=/) });
    expect(made.qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(made.credentials.every((item) => item.credentialId && !item.deferred)).toBe(true);
    const key = await wallet.walletKey({ did: true });
    const { answers } = await wallet.receive(made.offerUri, made.transactionCode, key);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const jwks = (await (await fetch(`${base()}/issuers/eciu/jwks.json`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    for (const answer of answers) {
      const jwt = answer.body['credentials'][0].credential as string;
      const credential = payloadOf(jwt);
      expect(credential['credentialSubject'].id).toBe(key.did);
      expect(await wallet.thumbprint(credential['cnf'].jwk)).toBe(await wallet.thumbprint(key.jwk));
      // Sealed by the alliance: Node's crypto checks it with the published key set.
      const [h, p, s] = jwt.split('.') as [string, string, string];
      const jwk = jwks.keys.find((candidate) => candidate.kid === JSON.parse(Buffer.from(h, 'base64url').toString('utf8')).kid);
      expect(cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))).toBe(true);
      expect((await verifyOverHttp(jwt)).checks.filter((check) => !check.passed)).toEqual([]);
    }
    const status = await hub.query(OFFER_STATUS, { id: made.id }, await asLearner(hub.hub, learnerId));
    expect(status.body.data?.['credentialOffer']).toMatchObject({ status: 'DELIVERED', transactionCode: null });
    expect(status.body.data?.['credentialOffer'].credentials.map((item: { holder: string }) => item.holder)).toEqual([key.did, key.did]);
    // The offer is gone once redeemed.
    expect((await fetch(made.offerUrl)).status).toBe(404);
  });

  it('binds to a bare JWK too (did:jwk as the subject)', async () => {
    const made = await offer([first]);
    const key = await wallet.walletKey();
    const { answers } = await wallet.receive(made.offerUri, made.transactionCode, key);
    const credential = payloadOf(answers[0]?.body['credentials'][0].credential as string);
    expect(credential['credentialSubject'].id).toMatch(/^did:jwk:/);
    expect(credential['cnf'].jwk).toEqual({ kty: 'EC', crv: 'P-256', x: key.jwk.x, y: key.jwk.y });
  });

  it('refuses a wrong transaction code, voids the offer after five, and redeems a code only once', async () => {
    const made = await offer([first]);
    const session = await wallet.readOffer(made.offerUri);
    expect((await wallet.redeem(session, undefined)).body).toMatchObject({ error: 'invalid_request' });
    const wrong = made.transactionCode === '000000' ? '000001' : '000000';
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await wallet.redeem(session, wrong)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await wallet.redeem(session, made.transactionCode)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await hub.query(OFFER_STATUS, { id: made.id }, await asLearner(hub.hub, learnerId))).body.data?.['credentialOffer'].status).toBe('VOID');

    const other = await offer([first]);
    const again = await wallet.readOffer(other.offerUri);
    expect((await wallet.redeem(again, other.transactionCode)).status).toBe(200);
    expect((await wallet.redeem(again, other.transactionCode)).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses proofs without the nonce, with a used nonce, for another issuer, of another type, and requests without the access token', async () => {
    const made = await offer([first]);
    const session = await wallet.readOffer(made.offerUri);
    const token = (await wallet.redeem(session, made.transactionCode)).body;
    const identifier = token['authorization_details'][0].credential_identifiers[0] as string;
    const key = await wallet.walletKey({ did: true });
    const ask = async (jwt: string, accessToken = token['access_token'] as string) => wallet.requestCredential(session, accessToken, { credential_identifier: identifier, proofs: { jwt: [jwt] } });
    const audience = session.issuer['credential_issuer'] as string;
    expect((await ask(await wallet.proof(key, audience, undefined))).body).toMatchObject({ error: 'invalid_nonce' });
    expect((await ask(await wallet.proof(key, 'https://other-issuer.example', await wallet.nonce(session)))).body).toMatchObject({ error: 'invalid_proof' });
    expect((await ask(await wallet.proof(key, audience, await wallet.nonce(session), { typ: 'JWT' }))).body).toMatchObject({ error: 'invalid_proof' });
    expect((await wallet.requestCredential(session, token['access_token'], { credential_identifier: identifier })).body).toMatchObject({ error: 'invalid_proof' });
    const unauthorised = await ask(await wallet.proof(key, audience, await wallet.nonce(session)), 'not-the-access-token-at-all');
    expect(unauthorised).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    const cNonce = await wallet.nonce(session);
    expect((await ask(await wallet.proof(key, audience, cNonce))).status).toBe(200);
    expect((await ask(await wallet.proof(key, audience, cNonce))).body).toMatchObject({ error: 'invalid_nonce' });
    // Handed over to this key, it is not handed to another.
    expect((await ask(await wallet.proof(await wallet.walletKey(), audience, await wallet.nonce(session)))).body).toMatchObject({ error: 'invalid_credential_request' });
  });

  it('lets only the learner make offers, of their own credentials', async () => {
    const other = credited.find((item) => item.learnerId !== learnerId) as PassedAchievement;
    const input = { input: { achievementIds: [other.achievement.id] } };
    expect(codes((await hub.query(OFFER, input, await asLearner(hub.hub, learnerId))).body)).toEqual(['FORBIDDEN']);
    expect(codes((await hub.query(OFFER, input, await bearer(hub.hub, { role: 'member-staff', memberId: other.memberId }))).body)).toEqual(['FORBIDDEN']);
    expect((await hub.query(OFFER, input)).status).toBe(401);
    expect(codes((await hub.query(OFFER, { input: { credentialIds: [], achievementIds: [] } }, await asLearner(hub.hub, learnerId))).body)).toEqual(['BAD_USER_INPUT']);
  });

  it("defers a credential whose cohort is being issued, and hands it over at the deferred endpoint once it is", async () => {
    const item = learnerItems(learnerId).find((candidate) => candidate !== first && candidate !== second) ?? first;
    const cohorts = hub.hub.issuanceService.cohorts;
    const isRunning = cohorts.isRunning.bind(cohorts);
    // Hold the moment still: the cohort job of this offering is running while the offer is made.
    cohorts.isRunning = (offeringId, kind) => (offeringId === item.offering.id && kind === 'PARTICIPATION') || isRunning(offeringId, kind);
    let made;
    try {
      made = await offer([item], 'PARTICIPATION');
    } finally {
      cohorts.isRunning = isRunning;
    }
    expect(made.credentials[0]).toMatchObject({ deferred: true, credentialId: null });
    const key = await wallet.walletKey({ did: true });
    const { session, accessToken, answers } = await wallet.receive(made.offerUri, made.transactionCode, key);
    expect(answers[0]).toMatchObject({ status: 202, body: { transaction_id: expect.any(String), interval: expect.any(Number) } });
    const transactionId = answers[0]?.body['transaction_id'] as string;
    expect((await wallet.requestDeferred(session, accessToken, transactionId)).status).toBe(202);
    // The job reaches this achievement (here: issued as its cohort would).
    const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id, kind: PARTICIPATION }) { credential { id } } }`, { id: item.achievement.id }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
    expect(issued.body.errors).toBeUndefined();
    const ready = await wallet.requestDeferred(session, accessToken, transactionId);
    expect(ready.status).toBe(200);
    const credential = payloadOf(ready.body['credentials'][0].credential as string);
    expect(credential).toMatchObject({ id: issued.body.data?.['issueCredential'].credential.id, credentialSubject: { id: key.did } });
    expect((await wallet.requestDeferred(session, accessToken, 'not-a-transaction')).body).toMatchObject({ error: 'invalid_transaction_id' });
  });
});

describe('OpenID4VP: a verifier asks, the wallet presents, the hub checks', () => {
  const verifierId = 'https://careers.example.com';
  let key: wallet.WalletKey;
  let credentialJwt: string;
  let credentialId: string;

  beforeAll(async () => {
    const made = await offer([second]);
    key = await wallet.walletKey({ did: true });
    const { answers } = await wallet.receive(made.offerUri, made.transactionCode, key);
    credentialJwt = answers[0]?.body['credentials'][0].credential as string;
    credentialId = payloadOf(credentialJwt)['id'] as string;
  });

  async function ask(input: Record<string, unknown> = { purpose: 'Checking a job applicant\'s micro-credential.' }, who = verifierId) {
    const { body } = await hub.query(ASK, { input }, await bearer(hub.hub, { role: 'verifier', verifierId: who }));
    expect(body.errors).toBeUndefined();
    return body.data?.['createPresentationRequest'] as { id: string; requestUri: string; clientId: string; nonce: string; status: string };
  }
  const status = async (id: string, who = verifierId) => (await hub.query(ASKED, { id }, await bearer(hub.hub, { role: 'verifier', verifierId: who }))).body.data?.['presentationRequest'];

  it('verifies a presentation bound to its nonce and audience, and gives the verifier a sealed result to keep', async () => {
    const request = await ask();
    expect(request).toMatchObject({ status: 'PENDING', requestUri: expect.stringMatching(/^openid4vp:\/\/\?/) });
    const asked = wallet.readPresentationRequest(request.requestUri);
    expect(asked).toMatchObject({ clientId: request.clientId, nonce: request.nonce });
    const vp = await wallet.presentation(key, [credentialJwt], { nonce: asked.nonce, audience: asked.clientId });
    expect(await wallet.respond(asked, { [asked.dcql.credentials[0]?.id as string]: [vp] })).toEqual({ status: 200, body: {} });
    const answered = await status(request.id);
    expect(answered).toMatchObject({ status: 'VERIFIED', refusedAttempts: 0 });
    const result = JSON.parse(answered.result) as { verified: boolean; credentials: { credentialId: string; holder: string; checks: { check: string; passed: boolean }[] }[] };
    expect(result).toMatchObject({ verified: true, credentials: [{ credentialId, holder: key.did }] });
    expect(result.credentials[0]?.checks.map((check) => check.check)).toEqual(['signature', 'trustedIssuer', 'authority', 'revocation', 'suspension', 'validity', 'schema']);
    // The kept result is sealed by the alliance, for this verifier.
    const jwks = (await (await fetch(`${base()}/issuers/eciu/jwks.json`)).json()) as { keys: never[] };
    const { payload } = await jwtVerify(answered.resultJwt as string, createLocalJWKSet({ keys: jwks.keys }), { audience: verifierId, subject: request.id });
    expect((payload['result'] as { verified: boolean }).verified).toBe(true);

    // Replayed: the request was answered once.
    expect((await wallet.respond(asked, { [asked.dcql.credentials[0]?.id as string]: [vp] })).body).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a presentation made for another request (re-targeted), one signed by a key the credential is not bound to, and a wrong state, leaving the request open', async () => {
    const one = wallet.readPresentationRequest((await ask()).requestUri);
    const other = await ask();
    const otherAsk = wallet.readPresentationRequest(other.requestUri);
    const queryId = otherAsk.dcql.credentials[0]?.id as string;
    const retargeted = await wallet.presentation(key, [credentialJwt], { nonce: one.nonce, audience: one.clientId });
    expect((await wallet.respond(otherAsk, { [queryId]: [retargeted] })).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/another nonce/) });
    const otherAudience = await wallet.presentation(key, [credentialJwt], { nonce: otherAsk.nonce, audience: one.clientId });
    expect((await wallet.respond(otherAsk, { [queryId]: [otherAudience] })).body.error_description).toMatch(/another verifier/);
    const thief = await wallet.presentation(await wallet.walletKey({ did: true }), [credentialJwt], { nonce: otherAsk.nonce, audience: otherAsk.clientId });
    expect((await wallet.respond(otherAsk, { [queryId]: [thief] })).body.error_description).toMatch(/not bound to the key/);
    const good = await wallet.presentation(key, [credentialJwt], { nonce: otherAsk.nonce, audience: otherAsk.clientId });
    expect((await wallet.respond(otherAsk, { [queryId]: [good] }, 'another-state')).body.error_description).toMatch(/state/);
    expect(await status(other.id)).toMatchObject({ status: 'PENDING', refusedAttempts: 4 });
    expect((await wallet.respond(otherAsk, { [queryId]: [good] })).status).toBe(200);
  });

  it('answers REFUSED when the credential fails a check (suspended), with the reason', async () => {
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: second.memberId });
    await hub.query(`mutation ($id: ID!) { suspendCredential(id: $id, reason: "Under review.") { status } }`, { id: credentialId }, staff);
    try {
      const request = await ask();
      const asked = wallet.readPresentationRequest(request.requestUri);
      const vp = await wallet.presentation(key, [credentialJwt], { nonce: asked.nonce, audience: asked.clientId });
      expect((await wallet.respond(asked, { [asked.dcql.credentials[0]?.id as string]: [vp] })).status).toBe(200);
      const answered = await status(request.id);
      expect(answered.status).toBe('REFUSED');
      expect(JSON.parse(answered.result).credentials[0].checks).toEqual(expect.arrayContaining([{ check: 'suspension', passed: false, reason: 'suspended' }]));
    } finally {
      await hub.query(`mutation ($id: ID!) { resumeCredential(id: $id, reason: "Cleared.") { status } }`, { id: credentialId }, staff);
    }
  });

  it('evaluates the DCQL query: a credential lacking a claim asked for is refused; a query it cannot evaluate is refused up front', async () => {
    const dcqlQuery = JSON.stringify({ credentials: [{ id: 'diploma', format: 'jwt_vc_json', claims: [{ path: ['credentialSubject', 'dateOfBirth'] }] }] });
    const asked = wallet.readPresentationRequest((await ask({ dcqlQuery })).requestUri);
    const vp = await wallet.presentation(key, [credentialJwt], { nonce: asked.nonce, audience: asked.clientId });
    expect((await wallet.respond(asked, { diploma: [vp] })).body.error_description).toMatch(/no claim at/);
    for (const bad of ['{', JSON.stringify({ credentials: [] }), JSON.stringify({ credentials: [{ id: 'x', format: 'mso_mdoc' }] })]) {
      const { body } = await hub.query(ASK, { input: { dcqlQuery: bad } }, await bearer(hub.hub, { role: 'verifier', verifierId }));
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'dcqlQuery' });
    }
  });

  it('lets only verifiers ask, and each read only its own requests', async () => {
    const request = await ask();
    expect(await status(request.id, 'https://other-employer.example')).toBeNull();
    expect(codes((await hub.query(ASK, { input: {} }, await asLearner(hub.hub, learnerId))).body)).toEqual(['FORBIDDEN']);
    expect((await hub.query(ASK, { input: {} })).status).toBe(401);
  });
});
