import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/*
 * A wallet written from the specifications, not from the hub's code: OpenID
 * for Verifiable Credential Issuance 1.0 (pre-authorised code flow with a
 * transaction code, proofs of possession, deferred issuance) and OpenID for
 * Verifiable Presentations 1.0 (DCQL, direct_post). It knows only what a real
 * wallet knows: the offer URI the learner scanned, what the issuer publishes,
 * and its own key. The key is named by did:key (multicodec p256-pub,
 * base58btc, per the did:key method) or sent as a bare JWK.
 */

export interface WalletKey {
  privateKey: CryptoKey;
  jwk: JWK;
  /** The holder id: a did:key, or undefined when the key is sent as a JWK. */
  did?: string;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let text = '';
  while (value > 0n) {
    text = BASE58[Number(value % 58n)] + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = `1${text}`;
  }
  return text;
}

/** A new P-256 wallet key; `did: true` names it by did:key (compressed point, multicodec 0x1200). */
export async function walletKey(options: { did?: boolean } = {}): Promise<WalletKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  if (!options.did) return { privateKey, jwk };
  const x = Buffer.from(jwk.x as string, 'base64url');
  const y = Buffer.from(jwk.y as string, 'base64url');
  const compressed = Buffer.concat([Buffer.from([(y[y.length - 1] as number) & 1 ? 0x03 : 0x02]), x]);
  const did = `did:key:z${base58btc(Buffer.concat([Buffer.from([0x80, 0x24]), compressed]))}`;
  return { privateKey, jwk, did };
}

/** The JWS header naming the wallet key: a DID URL (did:key's key id is its method-specific id) or the JWK. */
function keyHeader(key: WalletKey): { kid: string } | { jwk: JWK } {
  return key.did ? { kid: `${key.did}#${key.did.slice('did:key:'.length)}` } : { jwk: key.jwk };
}

export async function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk);
}

async function json(response: Response): Promise<{ status: number; body: Record<string, any> }> {
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

export interface IssuerSession {
  offer: Record<string, any>;
  issuer: Record<string, any>;
  server: Record<string, any>;
}

/** Reads an offer URI as a wallet does: the offer by reference, then the issuer's and its authorisation server's metadata. */
export async function readOffer(offerUri: string): Promise<IssuerSession> {
  const url = new URL(offerUri);
  if (url.protocol !== 'openid-credential-offer:') throw new Error(`not a credential offer URI: ${offerUri}`);
  const reference = url.searchParams.get('credential_offer_uri');
  const offer = reference ? ((await (await fetch(reference)).json()) as Record<string, any>) : (JSON.parse(url.searchParams.get('credential_offer') ?? '{}') as Record<string, any>);
  const issuerId = new URL(offer['credential_issuer'] as string);
  // OID4VCI 1.0 §12.2.2: /.well-known/openid-credential-issuer inserted between host and path.
  const issuer = (await (await fetch(new URL(`/.well-known/openid-credential-issuer${issuerId.pathname.replace(/\/$/, '')}`, issuerId))).json()) as Record<string, any>;
  const server = issuer['authorization_servers']?.[0] ?? issuer['credential_issuer'];
  const asUrl = new URL(server as string);
  const metadata = (await (await fetch(new URL(`/.well-known/oauth-authorization-server${asUrl.pathname.replace(/\/$/, '')}`, asUrl))).json()) as Record<string, any>;
  return { offer, issuer, server: metadata };
}

/** The token request of the pre-authorised code flow (OID4VCI 1.0 §6.1). */
export async function redeem(session: IssuerSession, txCode: string | undefined, code?: string): Promise<{ status: number; body: Record<string, any> }> {
  const grant = session.offer['grants']['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code ?? grant['pre-authorized_code'] });
  if (txCode !== undefined) form.set('tx_code', txCode);
  return json(await fetch(session.server['token_endpoint'], { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }));
}

export async function nonce(session: IssuerSession): Promise<string> {
  return ((await (await fetch(session.issuer['nonce_endpoint'], { method: 'POST' })).json()) as { c_nonce: string }).c_nonce;
}

/** A key proof JWT (OID4VCI 1.0 Appendix F.1). */
export async function proof(key: WalletKey, audience: string, cNonce: string | undefined, options: { iat?: number; typ?: string } = {}): Promise<string> {
  const claims: Record<string, unknown> = cNonce === undefined ? {} : { nonce: cNonce };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'openid4vci-proof+jwt', ...keyHeader(key) })
    .setAudience(audience)
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

/** The credential request (OID4VCI 1.0 §8.2). */
export async function requestCredential(session: IssuerSession, accessToken: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> {
  return json(await fetch(session.issuer['credential_endpoint'], { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify(body) }));
}

export async function requestDeferred(session: IssuerSession, accessToken: string, transactionId: string): Promise<{ status: number; body: Record<string, any> }> {
  return json(
    await fetch(session.issuer['deferred_credential_endpoint'], { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ transaction_id: transactionId }) }),
  );
}

/** The whole issuance: offer URI + transaction code → one credential per identifier (or a transaction id). */
export async function receive(offerUri: string, txCode: string, key: WalletKey): Promise<{ session: IssuerSession; accessToken: string; answers: { status: number; body: Record<string, any> }[] }> {
  const session = await readOffer(offerUri);
  const token = await redeem(session, txCode);
  if (token.status !== 200) throw new Error(`token: ${JSON.stringify(token.body)}`);
  const accessToken = token.body['access_token'] as string;
  const identifiers = (token.body['authorization_details'] as { credential_identifiers: string[] }[]).flatMap((detail) => detail.credential_identifiers);
  const answers = [];
  for (const identifier of identifiers) {
    const jwt = await proof(key, session.issuer['credential_issuer'], await nonce(session));
    answers.push(await requestCredential(session, accessToken, { credential_identifier: identifier, proofs: { jwt: [jwt] } }));
  }
  return { session, accessToken, answers };
}

export interface PresentationAsk {
  clientId: string;
  responseUri: string;
  nonce: string;
  state: string;
  dcql: { credentials: { id: string }[] };
}

/** Reads an OpenID4VP authorisation request passed by value (OpenID4VP 1.0 §5). */
export function readPresentationRequest(uri: string): PresentationAsk {
  const url = new URL(uri);
  if (url.protocol !== 'openid4vp:') throw new Error(`not an OpenID4VP request: ${uri}`);
  const get = (name: string) => {
    const value = url.searchParams.get(name);
    if (value === null) throw new Error(`the request has no ${name}`);
    return value;
  };
  if (get('response_type') !== 'vp_token' || get('response_mode') !== 'direct_post') throw new Error('only vp_token by direct_post is handled');
  return { clientId: get('client_id'), responseUri: get('response_uri'), nonce: get('nonce'), state: get('state'), dcql: JSON.parse(get('dcql_query')) as PresentationAsk['dcql'] };
}

/** A VP secured as vp+jwt (VC-JOSE-COSE) enveloping vc+jwt credentials, bound to the verifier's nonce and audience. */
export async function presentation(key: WalletKey, credentials: string[], bind: { nonce: string; audience: string }): Promise<string> {
  return new SignJWT({
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    ...(key.did ? { holder: key.did } : {}),
    verifiableCredential: credentials.map((jwt) => ({ '@context': ['https://www.w3.org/ns/credentials/v2'], id: `data:application/vc+jwt,${jwt}`, type: 'EnvelopedVerifiableCredential' })),
    nonce: bind.nonce,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'vp+jwt', ...keyHeader(key) })
    .setAudience(bind.audience)
    .setIssuedAt()
    .sign(key.privateKey);
}

/** The direct_post response (OpenID4VP 1.0 §8.2): vp_token keyed by the DCQL credential query ids. */
export async function respond(ask: PresentationAsk, vpToken: Record<string, string[]>, state = ask.state): Promise<{ status: number; body: Record<string, any> }> {
  return json(await fetch(ask.responseUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ vp_token: JSON.stringify(vpToken), state }) }));
}
