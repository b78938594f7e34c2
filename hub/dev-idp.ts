import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { CLAIMS, DEFAULT_ALGORITHMS, fileKeySet, type AccessTokenProfile, type Role } from '../lib/auth.js';

/*
 * A development identity provider for the embedded default: an ES256 signing
 * key created on first start (private key file readable only by its owner)
 * and its public JWKS written next to it, where the gateway reads it. It
 * issues access tokens exactly as the alliance's identity provider is
 * expected to (docs/security.md), so the hub runs the same verification path
 * in development as in production.
 */

export const DEV_IDP_ISSUER = 'urn:eciu:dev-idp';
export const HUB_AUDIENCE = 'urn:eciu:hub';
const ALGORITHM = 'ES256';

export interface DevIdp {
  /** The public key set, as the gateway reads it. */
  jwksPath: string;
  issuer: string;
  audience: string;
  /** Signs an access token for a role. */
  issue(request: TokenRequest): Promise<string>;
}

export interface TokenRequest {
  role: Role;
  learnerId?: string;
  memberId?: string;
  subject?: string;
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number;
}

/** Loads the development identity provider's key from `dir`, creating it on first use. */
export async function ensureDevIdp(dir: string): Promise<DevIdp> {
  const privatePath = join(dir, 'dev-idp-private.jwk');
  const jwksPath = join(dir, 'dev-idp-jwks.json');
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' };
    writeFileSync(privatePath, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
    chmodSync(privatePath, 0o600);
    writeFileSync(jwksPath, `${JSON.stringify({ keys: [{ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }] }, null, 2)}\n`);
  }
  const privateJwk = JSON.parse(readFileSync(privatePath, 'utf8')) as JWK;
  const key = await importJWK(privateJwk, ALGORITHM);
  return {
    jwksPath,
    issuer: DEV_IDP_ISSUER,
    audience: HUB_AUDIENCE,
    async issue(request) {
      const claims: Record<string, unknown> = { [CLAIMS.roles]: [request.role] };
      if (request.learnerId) claims[CLAIMS.learner] = request.learnerId;
      if (request.memberId) claims[CLAIMS.member] = request.memberId;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid as string, typ: 'at+jwt' })
        .setIssuer(DEV_IDP_ISSUER)
        .setAudience(HUB_AUDIENCE)
        .setSubject(request.subject ?? request.learnerId ?? `${request.role}${request.memberId ? `@${request.memberId}` : ''}`)
        .setIssuedAt()
        .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

/** The gateway's verification profile for tokens of this identity provider. */
export function devIdpProfile(idp: DevIdp): AccessTokenProfile {
  return { issuer: idp.issuer, audience: idp.audience, algorithms: DEFAULT_ALGORITHMS, keys: fileKeySet(idp.jwksPath) };
}
