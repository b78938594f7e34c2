import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import QRCode from 'qrcode';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import type { Principal } from '../../lib/auth.js';
import { badUserInput } from '../../lib/errors.js';
import { requireGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IssuanceService } from './context.js';
import { CREDENTIAL_TYPES } from './edc.js';
import type { CredentialKind } from './facts.js';
import { HOLDER_ALGORITHMS, HOLDER_BINDING_METHODS, HolderKeyError, verifyHolderJwt, type HolderKey } from './holder.js';
import { callerScope, checkIdempotencyKey, keyReused } from '../../lib/idempotency.js';
import { checkAchievementKind, issueCredential } from './issue.js';
import { CredentialOffer, CredentialOfferItem, IssuedCredential, WalletNonce } from './records.js';
import { readUnverified, sealCredential } from './seal.js';
import { FactsUnavailable, readAchievementFacts } from './sources.js';

/*
 * The alliance as an OpenID for Verifiable Credential Issuance (OID4VCI 1.0)
 * issuer, pre-authorised code flow with a transaction code:
 *   1. the learner makes an offer in the portal (graph: createCredentialOffer)
 *      and gets an openid-credential-offer:// URI, its QR code, and a 6-digit
 *      transaction code to type into the wallet;
 *   2. the wallet reads the offer (by reference), the issuer metadata
 *      (/.well-known/openid-credential-issuer) and the authorisation server
 *      metadata (/.well-known/oauth-authorization-server: the issuer is its own);
 *   3. it trades the pre-authorised code and the transaction code for an
 *      access token at the token endpoint (once: the codes are then gone);
 *   4. it fetches a c_nonce (nonce endpoint) and asks the credential endpoint
 *      for each credential, proving possession of its key with a JWT bound to
 *      that nonce and to this issuer; it receives the credential bound to that
 *      key (credentialSubject.id = its DID, cnf.jwk = its key), sealed as vc+jwt;
 *   5. a credential of a cohort still being issued is deferred: the wallet gets
 *      a transaction_id and collects it at the deferred credential endpoint.
 * The learner's account never reaches the wallet: the access token opens only
 * the credentials of that offer.
 */

export const OID4VCI_ROUTES = {
  issuerMetadata: '/.well-known/openid-credential-issuer',
  serverMetadata: '/.well-known/oauth-authorization-server',
  offers: '/oid4vci/offers',
  token: '/oid4vci/token',
  nonce: '/oid4vci/nonce',
  credential: '/oid4vci/credential',
  deferred: '/oid4vci/deferred-credential',
} as const;

/** The one credential configuration: the hub's EDC credentials as VC 2.0 secured with JOSE. */
export const CONFIGURATION_ID = 'EuropeanDigitalCredential';
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const PROOF_TYPE = 'openid4vci-proof+jwt';
const OFFER_LIFETIME_MS = 10 * 60_000;
const ACCESS_TOKEN_LIFETIME_S = 600;
const NONCE_LIFETIME_S = 300;
/** Wrong transaction codes before an offer is void (6 digits: 5 guesses in a million). */
export const MAX_TX_CODE_ATTEMPTS = 5;
const MAX_OFFER_ITEMS = 20;
/** Seconds a wallet should wait before asking again for a deferred credential. */
const DEFERRED_INTERVAL_S = 5;

/** An OAuth-style error answer (RFC 6749 §5.2, OID4VCI §8.3.1): HTTP status, code, description. */
export class WalletError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
  body(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

/** Credential Issuer Metadata (OID4VCI 1.0 §12.2). The issuer identifier is the hub's public URL. */
export function issuerMetadata(publicUrl: string, issuerName: string): Record<string, unknown> {
  const url = base(publicUrl);
  return {
    credential_issuer: url,
    credential_endpoint: `${url}${OID4VCI_ROUTES.credential}`,
    nonce_endpoint: `${url}${OID4VCI_ROUTES.nonce}`,
    deferred_credential_endpoint: `${url}${OID4VCI_ROUTES.deferred}`,
    display: [{ name: issuerName, locale: 'en' }],
    credential_configurations_supported: {
      [CONFIGURATION_ID]: {
        format: 'jwt_vc_json',
        scope: CONFIGURATION_ID,
        cryptographic_binding_methods_supported: [...HOLDER_BINDING_METHODS],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...HOLDER_ALGORITHMS] } },
        credential_definition: { type: [...CREDENTIAL_TYPES] },
        credential_metadata: {
          display: [{ name: 'ECIU micro-credential', locale: 'en', description: 'A micro-credential or certificate of participation of an ECIU member, in the European Learning Model.' }],
        },
      },
    },
  };
}

/** OAuth 2.0 Authorization Server Metadata (RFC 8414): the issuer is its own authorisation server. */
export function serverMetadata(publicUrl: string): Record<string, unknown> {
  const url = base(publicUrl);
  return {
    issuer: url,
    token_endpoint: `${url}${OID4VCI_ROUTES.token}`,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    'pre-authorized_grant_anonymous_access_supported': true,
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['none'],
  };
}

export interface OfferRequest {
  credentialIds: readonly string[];
  achievements: readonly { achievementId: string; kind: CredentialKind }[];
}

export interface OfferView {
  offer: CredentialOffer;
  items: CredentialOfferItem[];
  offerUrl: string;
  offerUri: string;
  qrCodeSvg: string;
}

const CREDENTIAL_ID = /^urn:uuid:[0-9a-f-]{36}$/;

export function offerStatus(offer: CredentialOffer, items: readonly CredentialOfferItem[], now: Date): 'OFFERED' | 'REDEEMED' | 'DELIVERED' | 'EXPIRED' | 'VOID' {
  if (items.length > 0 && items.every((item) => item.deliveredAt)) return 'DELIVERED';
  if (offer.redeemedAt) return 'REDEEMED';
  if (offer.txCodeAttempts >= MAX_TX_CODE_ATTEMPTS) return 'VOID';
  return offer.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'OFFERED';
}

async function view(publicUrl: string, offer: CredentialOffer, items: CredentialOfferItem[]): Promise<OfferView> {
  const offerUrl = `${base(publicUrl)}${OID4VCI_ROUTES.offers}/${offer.id}`;
  const offerUri = `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(offerUrl)}`;
  return { offer, items, offerUrl, offerUri, qrCodeSvg: await QRCode.toString(offerUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}

/**
 * Makes an offer of the caller's own credentials (the learner only). An
 * achievement not yet issued is issued now, unless its cohort is being issued
 * by a job: then the offer defers it until the job has issued it.
 */
export async function createOffer(em: SqlEntityManager, service: IssuanceService, publicUrl: string, principal: Principal, request: OfferRequest, idempotencyKey: string | null): Promise<OfferView> {
  const caller = requireSignedIn(principal, 'wallet offers');
  if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden('Only a learner can send their own credentials to their wallet.');
  const total = request.credentialIds.length + request.achievements.length;
  if (total === 0 || total > MAX_OFFER_ITEMS) throw badUserInput(`An offer holds 1 to ${MAX_OFFER_ITEMS} credentials.`, 'input');
  const key = checkIdempotencyKey(idempotencyKey);
  const scope = callerScope(caller);
  const fingerprint = sha256(JSON.stringify([[...request.credentialIds].sort(), request.achievements.map((item) => `${item.achievementId}/${item.kind}`).sort()]));
  if (key) {
    const earlier = await em.fork().findOne(CredentialOffer, { callerScope: scope, idempotencyKey: key });
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) throw keyReused();
      return view(publicUrl, earlier, await em.fork().find(CredentialOfferItem, { offerId: earlier.id }, { orderBy: { id: 'asc' } }));
    }
  }
  const wanted: { achievementId: string; kind: string; serial: number | null }[] = [];
  for (const id of request.credentialIds) {
    const row = CREDENTIAL_ID.test(id) ? await em.fork().findOne(IssuedCredential, { id }) : null;
    // Unknown and someone else's are answered alike (no probing for ids).
    if (!row || row.learnerId !== caller.learnerId) throw forbidden(`"${id.slice(0, 80)}" is not one of your credentials.`);
    wanted.push({ achievementId: row.achievementId, kind: row.kind, serial: row.serial });
  }
  for (const { achievementId, kind } of request.achievements) {
    requireGlobalId(achievementId, 'achievementIds');
    checkAchievementKind(kind);
  }
  const facts = request.achievements.length > 0 ? await readAchievementFacts(service.issuance.sources, caller, request.achievements.map((item) => item.achievementId)) : new Map();
  for (const { achievementId, kind } of request.achievements) {
    const existing = await em.fork().findOne(IssuedCredential, { achievementId, kind });
    if (existing) {
      if (existing.learnerId !== caller.learnerId) {
        // Answered as the member answered the caller (an achievement they may not see, or one that does not
        // exist): someone else's credential must not reveal that the achievement exists.
        const asked = facts.get(achievementId);
        throw asked instanceof FactsUnavailable ? asked.error : forbidden(`You may not see achievement "${achievementId}".`);
      }
      wanted.push({ achievementId, kind, serial: existing.serial });
      continue;
    }
    const found = facts.get(achievementId);
    if (!found) throw forbidden(`You may not see achievement "${achievementId}".`);
    if (found instanceof FactsUnavailable) throw found.error;
    if (service.cohorts.isRunning(found.offering.id, kind)) {
      wanted.push({ achievementId, kind, serial: null });
      continue;
    }
    const outcome = await issueCredential(em, service.issuance, caller, { achievementId, kind }, null);
    wanted.push({ achievementId, kind, serial: outcome.credential.serial });
  }
  const now = new Date();
  const offer = Object.assign(new CredentialOffer(), {
    id: randomUUID(),
    learnerId: caller.learnerId,
    createdBy: caller.subject,
    createdAt: now,
    expiresAt: new Date(now.getTime() + OFFER_LIFETIME_MS),
    preAuthorizedCode: randomBytes(32).toString('base64url'),
    txCode: String(randomInt(0, 1_000_000)).padStart(6, '0'),
    txCodeAttempts: 0,
    redeemedAt: null,
    accessTokenHash: null,
    accessTokenExpiresAt: null,
    callerScope: key ? scope : null,
    idempotencyKey: key,
    fingerprint: key ? fingerprint : null,
  });
  const items = wanted.map((item) =>
    Object.assign(new CredentialOfferItem(), { offerId: offer.id, identifier: randomUUID(), achievementId: item.achievementId, kind: item.kind, credentialSerial: item.serial, transactionId: null, holder: null, deliveredAt: null }),
  );
  try {
    await em.fork().transactional(async (tx) => {
      await tx.insert(CredentialOffer, offer);
      await tx.insertMany(CredentialOfferItem, items);
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException) || !key) throw error;
    // A concurrent request with the same key made it first.
    return createOffer(em, service, publicUrl, principal, request, key);
  }
  return view(publicUrl, offer, await em.fork().find(CredentialOfferItem, { offerId: offer.id }, { orderBy: { id: 'asc' } }));
}

/** An offer for its learner (others are told it does not exist). */
export async function readOffer(em: SqlEntityManager, publicUrl: string, principal: Principal, id: string): Promise<OfferView | null> {
  const caller = requireSignedIn(principal, 'wallet offers');
  const offer = /^[0-9a-f-]{36}$/.test(id) ? await em.fork().findOne(CredentialOffer, { id }) : null;
  if (!offer || !hasRole(caller, 'learner') || caller.learnerId !== offer.learnerId) return null;
  return view(publicUrl, offer, await em.fork().find(CredentialOfferItem, { offerId: offer.id }, { orderBy: { id: 'asc' } }));
}

/** The Credential Offer object a wallet reads by reference (OID4VCI §4.1); null once redeemed, void or expired. */
export async function offerDocument(em: SqlEntityManager, publicUrl: string, id: string): Promise<Record<string, unknown> | null> {
  const offer = /^[0-9a-f-]{36}$/.test(id) ? await em.fork().findOne(CredentialOffer, { id }) : null;
  if (!offer?.preAuthorizedCode || offer.redeemedAt || offer.txCodeAttempts >= MAX_TX_CODE_ATTEMPTS || offer.expiresAt.getTime() <= Date.now()) return null;
  return {
    credential_issuer: base(publicUrl),
    credential_configuration_ids: [CONFIGURATION_ID],
    grants: {
      [PRE_AUTHORIZED_GRANT]: {
        'pre-authorized_code': offer.preAuthorizedCode,
        tx_code: { input_mode: 'numeric', length: 6, description: 'The 6-digit code shown next to the QR code in the ECIU portal.' },
      },
    },
  };
}

/** The token endpoint (OID4VCI §6): pre-authorised code + transaction code → access token, once. */
export async function tokenRequest(em: SqlEntityManager, form: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (form['grant_type'] !== PRE_AUTHORIZED_GRANT) throw new WalletError(400, 'unsupported_grant_type', `Only the pre-authorised code grant (${PRE_AUTHORIZED_GRANT}) is supported.`);
  const code = form['pre-authorized_code'];
  const txCode = form['tx_code'];
  if (typeof code !== 'string' || code === '') throw new WalletError(400, 'invalid_request', '"pre-authorized_code" is missing.');
  if (typeof txCode !== 'string' || txCode === '') throw new WalletError(400, 'invalid_request', 'This offer needs its transaction code ("tx_code").');
  const offer = await em.fork().findOne(CredentialOffer, { preAuthorizedCode: code });
  if (!offer || offer.redeemedAt || offer.expiresAt.getTime() <= Date.now() || offer.txCodeAttempts >= MAX_TX_CODE_ATTEMPTS) {
    throw new WalletError(400, 'invalid_grant', 'The pre-authorised code is unknown, expired or already used.');
  }
  if (txCode !== offer.txCode) {
    // Counted atomically, so parallel guesses cannot exceed the limit either.
    await em.fork().nativeUpdate(CredentialOffer, { id: offer.id }, { txCodeAttempts: offer.txCodeAttempts + 1 });
    throw new WalletError(400, 'invalid_grant', 'The transaction code is wrong.');
  }
  const accessToken = randomBytes(32).toString('base64url');
  const now = new Date();
  // Redeemed once: the update only succeeds while the code is still there.
  const updated = await em.fork().nativeUpdate(
    CredentialOffer,
    { id: offer.id, preAuthorizedCode: code, redeemedAt: null },
    { preAuthorizedCode: null, txCode: null, redeemedAt: now, accessTokenHash: sha256(accessToken), accessTokenExpiresAt: new Date(now.getTime() + ACCESS_TOKEN_LIFETIME_S * 1000) },
  );
  if (updated !== 1) throw new WalletError(400, 'invalid_grant', 'The pre-authorised code is unknown, expired or already used.');
  const items = await em.fork().find(CredentialOfferItem, { offerId: offer.id }, { orderBy: { id: 'asc' } });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_S,
    authorization_details: [{ type: 'openid_credential', credential_configuration_id: CONFIGURATION_ID, credential_identifiers: items.map((item) => item.identifier) }],
  };
}

/** The nonce endpoint (OID4VCI §7): a fresh c_nonce, usable once. */
export async function newNonce(em: SqlEntityManager): Promise<Record<string, unknown>> {
  const nonce = randomBytes(24).toString('base64url');
  await em.fork().insert(WalletNonce, { nonce, expiresAt: new Date(Date.now() + NONCE_LIFETIME_S * 1000) } as WalletNonce);
  // Expired nonces are swept as new ones are handed out.
  await em.fork().nativeDelete(WalletNonce, { expiresAt: { $lt: new Date() } });
  return { c_nonce: nonce };
}

async function offerOfToken(em: SqlEntityManager, authorization: string | undefined): Promise<CredentialOffer> {
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]{20,200})$/i.exec(authorization?.trim() ?? '');
  if (!match) throw new WalletError(401, 'invalid_token', 'Send the access token from the token endpoint as "Authorization: Bearer <token>".');
  const offer = await em.fork().findOne(CredentialOffer, { accessTokenHash: sha256(match[1] as string) });
  if (!offer || !offer.accessTokenExpiresAt || offer.accessTokenExpiresAt.getTime() <= Date.now()) throw new WalletError(401, 'invalid_token', 'The access token is unknown or expired.');
  return offer;
}

/** Checks the proof of possession (OID4VCI §8.2.1.1, Appendix F.1) and uses up its nonce. */
async function checkProof(em: SqlEntityManager, publicUrl: string, body: Record<string, unknown>): Promise<HolderKey> {
  const proofs = body['proofs'] as { jwt?: unknown } | undefined;
  const single = body['proof'] as { proof_type?: unknown; jwt?: unknown } | undefined;
  let jwt: unknown;
  if (proofs && typeof proofs === 'object') {
    if (!Array.isArray(proofs.jwt) || proofs.jwt.length !== 1) throw new WalletError(400, 'invalid_proof', 'Send exactly one proof of type "jwt" (this issuer issues one credential per request).');
    jwt = proofs.jwt[0];
  } else if (single && typeof single === 'object') {
    if (single.proof_type !== 'jwt') throw new WalletError(400, 'invalid_proof', 'Only proofs of type "jwt" are accepted.');
    jwt = single.jwt;
  }
  if (typeof jwt !== 'string') throw new WalletError(400, 'invalid_proof', 'The credential is bound to a key of the wallet: send a proof of possession ("proofs": { "jwt": [ … ] }).');
  let verified;
  try {
    verified = await verifyHolderJwt(jwt, [PROOF_TYPE]);
  } catch (error) {
    if (error instanceof HolderKeyError) throw new WalletError(400, 'invalid_proof', `The proof is refused: ${error.message}.`);
    throw error;
  }
  const { payload, key } = verified;
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.includes(base(publicUrl))) throw new WalletError(400, 'invalid_proof', `The proof's "aud" must be this issuer (${base(publicUrl)}).`);
  if (typeof payload.iat !== 'number' || Math.abs(payload.iat * 1000 - Date.now()) > 5 * 60_000) throw new WalletError(400, 'invalid_proof', 'The proof\'s "iat" must be the time it was made (within 5 minutes).');
  if (typeof payload['nonce'] !== 'string') throw new WalletError(400, 'invalid_nonce', 'The proof must carry a c_nonce from the nonce endpoint.');
  // A nonce works once: the delete that removes it is what lets this proof through.
  const used = await em.fork().nativeDelete(WalletNonce, { nonce: payload['nonce'], expiresAt: { $gt: new Date() } });
  if (used !== 1) throw new WalletError(400, 'invalid_nonce', 'The c_nonce is unknown, expired or used already; get a new one from the nonce endpoint.');
  return key;
}

/** The stored credential, bound to the wallet's key and sealed anew with the current issuing key. */
async function bound(service: IssuanceService, credential: IssuedCredential, holder: HolderKey): Promise<string> {
  const payload = readUnverified(credential.jwt).credential ?? {};
  const subject = payload['credentialSubject'] as Record<string, unknown>;
  // `iat` (a JWT claim the VC 2.0 context defines) dates this seal: made now, possibly with a newer key than the
  // credential of record, it is checked against the key in use at that time.
  const holderBound = { ...payload, credentialSubject: { ...subject, id: holder.did }, cnf: { jwk: holder.jwk }, iat: Math.floor(Date.now() / 1000) };
  const keys = service.issuance.keys;
  return sealCredential(holderBound, { signingKey: keys.signingKey, kid: keys.current.kid });
}

type CredentialAnswer = { status: 200; body: { credentials: { credential: string }[] } } | { status: 202; body: { transaction_id: string; interval: number } };

async function deliver(em: SqlEntityManager, service: IssuanceService, offer: CredentialOffer, item: CredentialOfferItem, holder: HolderKey): Promise<CredentialAnswer> {
  let serial = item.credentialSerial ?? null;
  if (serial === null) {
    // Deferred: issued by its cohort's job meanwhile?
    const issued = await em.fork().findOne(IssuedCredential, { achievementId: item.achievementId, kind: item.kind as CredentialKind });
    if (issued && issued.learnerId === offer.learnerId) serial = issued.serial;
  }
  const holderText = JSON.stringify({ did: holder.did, jwk: holder.jwk });
  if (serial === null) {
    const transactionId = item.transactionId ?? randomUUID();
    await em.fork().nativeUpdate(CredentialOfferItem, { id: item.id }, { transactionId, holder: holderText });
    return { status: 202, body: { transaction_id: transactionId, interval: DEFERRED_INTERVAL_S } };
  }
  const credential = await em.fork().findOneOrFail(IssuedCredential, { serial });
  const jwt = await bound(service, credential, holder);
  await em.fork().nativeUpdate(CredentialOfferItem, { id: item.id }, { credentialSerial: serial, holder: holderText, deliveredAt: new Date() });
  return { status: 200, body: { credentials: [{ credential: jwt }] } };
}

/** The credential endpoint (OID4VCI §8). */
export async function credentialRequest(em: SqlEntityManager, service: IssuanceService, publicUrl: string, authorization: string | undefined, body: unknown): Promise<CredentialAnswer> {
  const offer = await offerOfToken(em, authorization);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WalletError(400, 'invalid_credential_request', 'Send the credential request as a JSON object.');
  const request = body as Record<string, unknown>;
  const items = await em.fork().find(CredentialOfferItem, { offerId: offer.id }, { orderBy: { id: 'asc' } });
  let item: CredentialOfferItem | undefined;
  if (typeof request['credential_identifier'] === 'string') {
    item = items.find((candidate) => candidate.identifier === request['credential_identifier']);
    if (!item) throw new WalletError(400, 'unknown_credential_identifier', 'That credential_identifier is not one the token response named.');
  } else if (request['credential_configuration_id'] === CONFIGURATION_ID || request['format'] === 'jwt_vc_json') {
    // Without an identifier (older wallets): the next credential of the offer not yet handed over.
    item = items.find((candidate) => !candidate.deliveredAt && !candidate.transactionId) ?? items.find((candidate) => !candidate.deliveredAt);
    if (!item) throw new WalletError(400, 'invalid_credential_request', 'Every credential of this offer was handed over already.');
  } else {
    throw new WalletError(400, 'invalid_credential_request', `Name the credential: "credential_identifier" from the token response (or "credential_configuration_id": "${CONFIGURATION_ID}").`);
  }
  const holder = await checkProof(em, publicUrl, request);
  if (item.holder && (JSON.parse(item.holder) as { did: string }).did !== holder.did) {
    throw new WalletError(400, 'invalid_credential_request', 'This credential was handed over to another wallet key already.');
  }
  return deliver(em, service, offer, item, holder);
}

/** The deferred credential endpoint (OID4VCI §9). */
export async function deferredRequest(em: SqlEntityManager, service: IssuanceService, authorization: string | undefined, body: unknown): Promise<CredentialAnswer> {
  const offer = await offerOfToken(em, authorization);
  const transactionId = body && typeof body === 'object' ? (body as Record<string, unknown>)['transaction_id'] : undefined;
  if (typeof transactionId !== 'string') throw new WalletError(400, 'invalid_credential_request', 'Send {"transaction_id": …} from the credential response.');
  const item = await em.fork().findOne(CredentialOfferItem, { transactionId, offerId: offer.id });
  if (!item || !item.holder) throw new WalletError(400, 'invalid_transaction_id', 'The transaction_id is not one of this access token.');
  const holder = JSON.parse(item.holder) as { did: string; jwk: HolderKey['jwk'] };
  return deliver(em, service, offer, item, { did: holder.did, jwk: holder.jwk, thumbprint: '' });
}

