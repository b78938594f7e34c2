import { KeyObject, verify } from 'node:crypto';
import { CompactSign, compactVerify, type CryptoKey, type ProtectedHeaderParameters } from 'jose';
import { ISSUING_ALGORITHM } from './keys.js';

/*
 * VC-JOSE-COSE: a credential secured as a compact JWS whose payload is the
 * credential itself (no `vc` claim), `typ: vc+jwt`, `cty: vc`, `kid` naming
 * the key in the issuer's published key set.
 */

export const VC_JWT_TYPE = 'vc+jwt';
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';
/** What the hub accepts on credentials: asymmetric only, the ones VC-JOSE-COSE issuers use. */
export const CREDENTIAL_ALGORITHMS = ['ES256', 'EdDSA', 'ES384', 'PS256', 'RS256'];

const encoder = new TextEncoder();

export function sealCredential(credential: object, key: { signingKey: CryptoKey; kid: string }): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(credential)))
    .setProtectedHeader({ alg: ISSUING_ALGORITHM, typ: VC_JWT_TYPE, cty: 'vc', kid: key.kid })
    .sign(key.signingKey);
}

export type SignatureCheck =
  | { valid: true; header: ProtectedHeaderParameters; credential: Record<string, unknown> }
  | { valid: false; reason: string; header?: ProtectedHeaderParameters; credential?: Record<string, unknown> };

function jsonObject(base64url: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The header and credential a compact JWS carries, unverified (to say which
 * issuer it claims when the signature fails). Decoded with Buffer rather than
 * jose's decodeProtectedHeader: a credential is some 20 KB, and this runs on
 * every verification.
 */
export function readUnverified(jwt: string): { header?: ProtectedHeaderParameters; credential?: Record<string, unknown> } {
  const first = jwt.indexOf('.');
  const second = first < 0 ? -1 : jwt.indexOf('.', first + 1);
  if (second < 0) return {};
  const header = jsonObject(jwt.slice(0, first)) as ProtectedHeaderParameters | undefined;
  const credential = jsonObject(jwt.slice(first + 1, second));
  return { ...(header ? { header } : {}), ...(credential ? { credential } : {}) };
}

/**
 * Checks a vc+jwt's signature with the key its `kid` names, from `keyFor`
 * only (never a key or URL the token carries). Never throws.
 *
 * ES256 (what the alliance seals with) is checked with Node's crypto.verify
 * directly: jose's WebCrypto path costs about three times as much per
 * credential, and verification must keep up with thousands per second. The
 * JWS rules jose would apply are applied here: compact form only, an
 * algorithm allowlist, no `crit` extensions, a 64-byte P-256 signature over
 * exactly `header.payload`. Other allowed algorithms go through jose.
 */
export async function checkSignature(jwt: string, keyFor: (kid: string) => Promise<CryptoKey | undefined>): Promise<SignatureCheck> {
  const unverified = readUnverified(jwt);
  const header = unverified.header;
  const parts = jwt.split('.');
  if (!header || parts.length !== 3) return { valid: false, reason: 'it is not a compact JWS' };
  if (header.typ !== VC_JWT_TYPE) return { valid: false, reason: `its type is "${String(header.typ)}", not "${VC_JWT_TYPE}"`, ...unverified };
  if (!header.alg || !CREDENTIAL_ALGORITHMS.includes(header.alg)) {
    return { valid: false, reason: `its signing algorithm "${String(header.alg)}" is not accepted`, ...unverified };
  }
  if ('crit' in header || 'b64' in header) return { valid: false, reason: 'it uses JWS extensions ("crit", "b64") a vc+jwt does not', ...unverified };
  if (typeof header.kid !== 'string') return { valid: false, reason: 'it does not name its key ("kid")', ...unverified };
  const key = await keyFor(header.kid);
  if (!key) return { valid: false, reason: `its key "${header.kid}" is not one this hub knows`, ...unverified };
  const mismatch = { valid: false as const, reason: 'the signature does not match the credential', ...unverified };
  try {
    if (header.alg === 'ES256') {
      const signature = Buffer.from(parts[2] as string, 'base64url');
      if (signature.length !== 64 || key.algorithm.name !== 'ECDSA') return mismatch;
      // The signing input is the text before the last dot, as it came (no re-joining of the parts).
      const signingInput = Buffer.from(jwt.slice(0, jwt.length - (parts[2] as string).length - 1));
      const valid = verify('sha256', signingInput, { key: KeyObject.from(key), dsaEncoding: 'ieee-p1363' }, signature);
      if (!valid) return mismatch;
    } else {
      await compactVerify(jwt, key, { algorithms: CREDENTIAL_ALGORITHMS });
    }
  } catch {
    // A key of the wrong kind, or jose refusing: all mean "not valid".
    return mismatch;
  }
  const credential = unverified.credential;
  if (!credential) return { valid: false, reason: 'its payload is not a credential', header };
  return { valid: true, header, credential };
}
