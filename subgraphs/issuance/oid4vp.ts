import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { SignJWT } from 'jose';
import QRCode from 'qrcode';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import type { Principal } from '../../lib/auth.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IssuanceService } from './context.js';
import { HOLDER_ALGORITHMS, HolderKeyError, verifyHolderJwt, type HolderKey } from './holder.js';
import { callerScope, checkIdempotencyKey, keyReused } from '../../lib/idempotency.js';
import { ISSUING_ALGORITHM } from './keys.js';
import { PresentationRequest } from './records.js';
import { readUnverified } from './seal.js';
import { NotACredential, verifyCredential, type VerificationResult } from './verify.js';
import { WalletError } from './oid4vci.js';
import { calculateJwkThumbprint, type JWK } from 'jose';

/*
 * The hub as an OpenID for Verifiable Presentations (OpenID4VP 1.0) verifier
 * service for organisations outside the alliance (role `verifier`): an
 * employer or another university asks, through the graph, for credentials
 * described by a DCQL query; the hub gives it an openid4vp:// request (and its
 * QR code) carrying a fresh nonce, the response URI and the verifier's
 * audience (client_id `redirect_uri:<response URI>`, response_mode
 * direct_post). The learner's wallet posts a VP bound to that nonce and
 * audience; the hub checks the holder's signature, that each credential is
 * bound to that holder, and verifies each credential (seal, trusted issuer,
 * the accreditation rule, status lists, validity, schemas). The first
 * presentation that holds answers the request, once; its result is kept and
 * sealed with the alliance key, so the verifier can keep it as evidence.
 * Presentations for another request (other nonce or audience), replays and
 * forgeries are refused and counted, and leave the request open.
 */

export const OID4VP_ROUTES = { responses: '/oid4vp/responses' } as const;
export const VC_FORMAT = 'jwt_vc_json';
const REQUEST_LIFETIME_MS = 10 * 60_000;
const MAX_PRESENTATION_LENGTH = 1_000_000;

export interface DcqlCredentialQuery {
  id: string;
  format: string;
  meta?: { type_values?: string[][] };
  claims?: { id?: string; path: (string | number | null)[] }[];
}
export interface DcqlQuery {
  credentials: DcqlCredentialQuery[];
}

/** What a verifier gets when it does not say: any ECIU credential. */
export const DEFAULT_DCQL: DcqlQuery = { credentials: [{ id: 'eciu_credential', format: VC_FORMAT, meta: { type_values: [['VerifiableCredential', 'EuropeanDigitalCredential']] } }] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a DCQL query (the part of DCQL this verifier evaluates), saying what is wrong. */
export function parseDcql(text: string | null | undefined): DcqlQuery {
  if (text === null || text === undefined || text.trim() === '') return DEFAULT_DCQL;
  let query: unknown;
  try {
    query = JSON.parse(text);
  } catch {
    throw badUserInput('"dcqlQuery" is not JSON.', 'dcqlQuery');
  }
  const fail = (why: string) => badUserInput(`"dcqlQuery" ${why}.`, 'dcqlQuery');
  if (!isObject(query) || !Array.isArray(query['credentials']) || query['credentials'].length < 1 || query['credentials'].length > 5) throw fail('must have "credentials": 1 to 5 credential queries');
  if (Object.keys(query).some((key) => key !== 'credentials')) throw fail('may only hold "credentials" here ("credential_sets" is not supported)');
  const ids = new Set<string>();
  const credentials = query['credentials'].map((entry: unknown): DcqlCredentialQuery => {
    if (!isObject(entry) || typeof entry['id'] !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(entry['id'])) throw fail('needs an "id" (letters, digits, "_", "-") for every credential query');
    if (ids.has(entry['id'])) throw fail(`names "${entry['id']}" twice`);
    ids.add(entry['id']);
    if (entry['format'] !== VC_FORMAT) throw fail(`may ask for format "${VC_FORMAT}" only (the ECIU credentials)`);
    const meta = entry['meta'];
    const typeValues = isObject(meta) ? meta['type_values'] : undefined;
    if (typeValues !== undefined && (!Array.isArray(typeValues) || !typeValues.every((set) => Array.isArray(set) && set.length > 0 && set.every((value) => typeof value === 'string')))) throw fail('has "meta.type_values" that is not a list of lists of type names');
    const claims = entry['claims'];
    if (claims !== undefined && (!Array.isArray(claims) || claims.length > 20 || !claims.every((claim) => isObject(claim) && Array.isArray(claim['path']) && claim['path'].length > 0 && claim['path'].length < 12 && claim['path'].every((step: unknown) => typeof step === 'string' || step === null || (typeof step === 'number' && Number.isInteger(step) && step >= 0))))) {
      throw fail('has "claims" whose paths are not lists of names, indexes or null');
    }
    return { id: entry['id'], format: VC_FORMAT, ...(typeValues ? { meta: { type_values: typeValues as string[][] } } : {}), ...(claims ? { claims: claims as DcqlCredentialQuery['claims'] } : {}) };
  });
  return { credentials };
}

/** Whether a DCQL claims path (OpenID4VP 1.0 §7) selects anything in the credential. */
function pathExists(value: unknown, path: readonly (string | number | null)[]): boolean {
  if (path.length === 0) return value !== undefined && value !== null;
  const [step, ...rest] = path;
  if (step === null) return Array.isArray(value) && value.some((item) => pathExists(item, rest));
  if (typeof step === 'number') return Array.isArray(value) && pathExists(value[step], rest);
  return isObject(value) && pathExists(value[step as string], rest);
}

function matches(query: DcqlCredentialQuery, credential: Record<string, unknown>): string | null {
  const types = Array.isArray(credential['type']) ? (credential['type'] as unknown[]) : [credential['type']];
  const sets = query.meta?.type_values;
  if (sets && !sets.some((set) => set.every((type) => types.includes(type)))) return `its types (${types.join(', ')}) are none the query asks for`;
  for (const claim of query.claims ?? []) {
    // Paths start at the credential's claims: credentialSubject, as OpenID4VP says for W3C credentials.
    if (!pathExists(credential, claim.path)) return `it has no claim at ${JSON.stringify(claim.path)}`;
  }
  return null;
}

export interface PresentationView {
  request: PresentationRequest;
  clientId: string;
  responseUri: string;
  requestUri: string;
  qrCodeSvg: string;
}

async function view(publicUrl: string, request: PresentationRequest): Promise<PresentationView> {
  const responseUri = `${publicUrl.replace(/\/+$/, '')}${OID4VP_ROUTES.responses}/${request.id}`;
  const clientId = `redirect_uri:${responseUri}`;
  const parameters = new URLSearchParams({
    response_type: 'vp_token',
    response_mode: 'direct_post',
    client_id: clientId,
    response_uri: responseUri,
    nonce: request.nonce,
    state: request.state,
    dcql_query: request.query,
    client_metadata: JSON.stringify({ vp_formats_supported: { [VC_FORMAT]: { alg_values: [...HOLDER_ALGORITHMS] } } }),
  });
  const requestUri = `openid4vp://?${parameters.toString()}`;
  return { request, clientId, responseUri, requestUri, qrCodeSvg: await QRCode.toString(requestUri, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 }) };
}

function requireVerifier(principal: Principal): { subject: string; verifierId: string; scope: string } {
  const caller = requireSignedIn(principal, 'presentation requests');
  if (!hasRole(caller, 'verifier') || !caller.verifierId) throw forbidden('Only a verifier (an organisation registered with the verifier role) asks wallets for presentations.');
  return { subject: caller.subject, verifierId: caller.verifierId, scope: callerScope(caller) };
}

/** A verifier's request for a presentation (graph: createPresentationRequest). */
export async function createPresentationRequest(
  em: SqlEntityManager,
  publicUrl: string,
  principal: Principal,
  input: { dcqlQuery?: string | null; purpose?: string | null },
  idempotencyKey: string | null,
): Promise<PresentationView> {
  const caller = requireVerifier(principal);
  const query = parseDcql(input.dcqlQuery);
  const purpose = input.purpose === null || input.purpose === undefined ? null : (checkedText(input.purpose, 'purpose', 3, 500) as string);
  const key = checkIdempotencyKey(idempotencyKey);
  const fingerprint = createHash('sha256').update(JSON.stringify([query, purpose])).digest('hex');
  if (key) {
    const earlier = await em.fork().findOne(PresentationRequest, { callerScope: caller.scope, idempotencyKey: key });
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) throw keyReused();
      return view(publicUrl, earlier);
    }
  }
  const now = new Date();
  const request = Object.assign(new PresentationRequest(), {
    id: randomUUID(),
    verifierId: caller.verifierId,
    createdBy: caller.subject,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REQUEST_LIFETIME_MS),
    nonce: randomBytes(24).toString('base64url'),
    state: randomBytes(16).toString('base64url'),
    query: JSON.stringify(query),
    purpose,
    status: 'PENDING',
    result: null,
    resultJwt: null,
    answeredAt: null,
    refusedAttempts: 0,
    callerScope: key ? caller.scope : null,
    idempotencyKey: key,
    fingerprint: key ? fingerprint : null,
  });
  try {
    await em.fork().insert(PresentationRequest, request);
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException) || !key) throw error;
    return createPresentationRequest(em, publicUrl, principal, input, key);
  }
  return view(publicUrl, request);
}

/** A request, for the verifier that made it (anyone else: as if it did not exist). */
export async function readPresentationRequest(em: SqlEntityManager, publicUrl: string, principal: Principal, id: string): Promise<PresentationView | null> {
  const caller = requireVerifier(principal);
  const request = /^[0-9a-f-]{36}$/.test(id) ? await em.fork().findOne(PresentationRequest, { id }) : null;
  if (!request || request.verifierId !== caller.verifierId) return null;
  return view(publicUrl, request);
}

/** The credentials a VP carries, as compact vc+jwt (VC 2.0 enveloped credentials, or VCDM 1.1 JWT strings). */
function credentialsOf(payload: Record<string, unknown>): string[] {
  const presentation = isObject(payload['vp']) ? payload['vp'] : payload;
  const types = presentation['type'];
  if (!(Array.isArray(types) ? types.includes('VerifiablePresentation') : types === 'VerifiablePresentation')) throw new HolderKeyError('it is not a VerifiablePresentation');
  const entries = Array.isArray(presentation['verifiableCredential']) ? presentation['verifiableCredential'] : presentation['verifiableCredential'] === undefined ? [] : [presentation['verifiableCredential']];
  return entries.map((entry: unknown) => {
    if (typeof entry === 'string') return entry;
    const id = isObject(entry) ? entry['id'] : undefined;
    if (typeof id === 'string' && id.startsWith('data:application/vc+jwt,')) return id.slice('data:application/vc+jwt,'.length);
    throw new HolderKeyError('it holds a credential that is neither a vc+jwt nor an enveloped vc+jwt');
  });
}

/** Whether a credential is bound to the key that signed the presentation: cnf.jwk, or credentialSubject.id = the holder's DID. */
async function boundTo(credential: Record<string, unknown>, holder: HolderKey): Promise<boolean> {
  const cnf = credential['cnf'];
  if (isObject(cnf) && isObject(cnf['jwk'])) {
    try {
      return (await calculateJwkThumbprint(cnf['jwk'] as JWK)) === holder.thumbprint;
    } catch {
      return false;
    }
  }
  const subject = credential['credentialSubject'];
  return isObject(subject) && subject['id'] === holder.did;
}

export interface PresentedCredential {
  queryId: string;
  credentialId: string | null;
  issuer: string | null;
  holder: string;
  verified: boolean;
  checks: VerificationResult['checks'];
}

/** The direct_post response endpoint (OpenID4VP 1.0 §8.2): the wallet's vp_token for request `id`. */
export async function presentationResponse(em: SqlEntityManager, service: IssuanceService, id: string, form: Record<string, unknown>): Promise<Record<string, unknown>> {
  const request = /^[0-9a-f-]{36}$/.test(id) ? await em.fork().findOne(PresentationRequest, { id }) : null;
  if (!request) throw new WalletError(400, 'invalid_request', 'No such presentation request.');
  if (request.status !== 'PENDING') throw new WalletError(400, 'invalid_request', 'This request was answered already; a presentation is accepted once.');
  if (request.expiresAt.getTime() <= Date.now()) throw new WalletError(400, 'invalid_request', 'This request has expired; the verifier must ask again.');
  const refuse = async (why: string): Promise<never> => {
    await em.fork().nativeUpdate(PresentationRequest, { id: request.id }, { refusedAttempts: request.refusedAttempts + 1 });
    throw new WalletError(400, 'invalid_request', `The presentation is refused: ${why}.`);
  };
  if (form['state'] !== request.state) return refuse('its "state" is not this request\'s');
  const raw = form['vp_token'];
  if (typeof raw !== 'string' || raw.length > MAX_PRESENTATION_LENGTH) return refuse('"vp_token" is missing or too long');
  let token: unknown;
  try {
    token = JSON.parse(raw);
  } catch {
    return refuse('"vp_token" is not the JSON object DCQL responses are');
  }
  if (!isObject(token)) return refuse('"vp_token" is not the JSON object DCQL responses are');
  const query = JSON.parse(request.query) as DcqlQuery;
  const clientId = (await view(service.issuance.issuer.publicUrl, request)).clientId;
  const presented: PresentedCredential[] = [];
  for (const credentialQuery of query.credentials) {
    const presentations = token[credentialQuery.id];
    if (!Array.isArray(presentations) || presentations.length === 0) return refuse(`nothing was presented for "${credentialQuery.id}"`);
    for (const presentation of presentations) {
      if (typeof presentation !== 'string') return refuse('a presentation is not a JWT');
      let holder: HolderKey;
      let jwts: string[];
      try {
        const verified = await verifyHolderJwt(presentation, ['vp+jwt', 'JWT']);
        holder = verified.key;
        const audience = Array.isArray(verified.payload.aud) ? verified.payload.aud : [verified.payload.aud];
        if (verified.payload['nonce'] !== request.nonce) throw new HolderKeyError('it is bound to another nonce (made for another request, or replayed)');
        if (!audience.includes(clientId)) throw new HolderKeyError('it is meant for another verifier (its "aud" is not this request\'s client_id)');
        if (typeof verified.payload.iat === 'number' && Math.abs(verified.payload.iat * 1000 - Date.now()) > 10 * 60_000) throw new HolderKeyError('it was not made now ("iat")');
        jwts = credentialsOf(verified.payload as Record<string, unknown>);
      } catch (error) {
        if (error instanceof HolderKeyError) return refuse(error.message);
        throw error;
      }
      if (jwts.length === 0) return refuse('the presentation holds no credential');
      for (const jwt of jwts) {
        const credential = readUnverified(jwt).credential ?? {};
        if (!(await boundTo(credential, holder))) return refuse('a credential in it is not bound to the key that signed the presentation');
        const mismatch = matches(credentialQuery, credential);
        if (mismatch) return refuse(`a credential does not answer "${credentialQuery.id}": ${mismatch}`);
        let result: VerificationResult;
        try {
          result = await verifyCredential(jwt, service.verification);
        } catch (error) {
          if (error instanceof NotACredential) return refuse(`a credential in it cannot be read (${error.message})`);
          throw error;
        }
        presented.push({ queryId: credentialQuery.id, credentialId: result.credentialId, issuer: result.issuer, holder: holder.did, verified: result.verified, checks: result.checks });
      }
    }
  }
  const now = new Date();
  const outcome = { requestId: request.id, verifier: request.verifierId, verified: presented.every((item) => item.verified), receivedAt: now.toISOString(), nonce: request.nonce, audience: clientId, credentials: presented };
  const keys = service.issuance.keys;
  const resultJwt = await new SignJWT({ result: outcome })
    .setProtectedHeader({ alg: ISSUING_ALGORITHM, typ: 'JWT', kid: keys.current.kid })
    .setIssuer(service.issuance.issuer.id)
    .setSubject(request.id)
    .setAudience(request.verifierId)
    .setIssuedAt()
    .sign(keys.signingKey);
  // Answered once: only the update that finds it still pending counts (a racing replay gets the refusal).
  const updated = await em.fork().nativeUpdate(
    PresentationRequest,
    { id: request.id, status: 'PENDING' },
    { status: outcome.verified ? 'VERIFIED' : 'REFUSED', result: JSON.stringify(outcome), resultJwt, answeredAt: now },
  );
  if (updated !== 1) throw new WalletError(400, 'invalid_request', 'This request was answered already; a presentation is accepted once.');
  return {};
}
