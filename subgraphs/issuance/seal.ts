import { CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey, type ProtectedHeaderParameters } from 'jose';
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
const decoder = new TextDecoder();

export function sealCredential(credential: object, key: { signingKey: CryptoKey; kid: string }): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(credential)))
    .setProtectedHeader({ alg: ISSUING_ALGORITHM, typ: VC_JWT_TYPE, cty: 'vc', kid: key.kid })
    .sign(key.signingKey);
}

export type SignatureCheck =
  | { valid: true; header: ProtectedHeaderParameters; credential: Record<string, unknown> }
  | { valid: false; reason: string; header?: ProtectedHeaderParameters; credential?: Record<string, unknown> };

/** The credential a compact JWS carries, unverified (to say which issuer it claims when the signature fails). */
export function readUnverified(jwt: string): { header?: ProtectedHeaderParameters; credential?: Record<string, unknown> } {
  const result: { header?: ProtectedHeaderParameters; credential?: Record<string, unknown> } = {};
  try {
    result.header = decodeProtectedHeader(jwt);
    const payload = jwt.split('.')[1] ?? '';
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) result.credential = parsed as Record<string, unknown>;
  } catch {
    // Unreadable: the signature check says so.
  }
  return result;
}

/**
 * Checks a vc+jwt's signature with the key its `kid` names, from `keyFor`
 * only (never a key or URL the token carries). Never throws.
 */
export async function checkSignature(jwt: string, keyFor: (kid: string) => Promise<CryptoKey | undefined>): Promise<SignatureCheck> {
  const unverified = readUnverified(jwt);
  const header = unverified.header;
  if (!header) return { valid: false, reason: 'it is not a compact JWS' };
  if (header.typ !== VC_JWT_TYPE) return { valid: false, reason: `its type is "${String(header.typ)}", not "${VC_JWT_TYPE}"`, ...unverified };
  if (!header.alg || !CREDENTIAL_ALGORITHMS.includes(header.alg)) {
    return { valid: false, reason: `its signing algorithm "${String(header.alg)}" is not accepted`, ...unverified };
  }
  if (typeof header.kid !== 'string') return { valid: false, reason: 'it does not name its key ("kid")', ...unverified };
  const key = await keyFor(header.kid);
  if (!key) return { valid: false, reason: `its key "${header.kid}" is not one this hub knows`, ...unverified };
  try {
    const { payload } = await compactVerify(jwt, key, { algorithms: CREDENTIAL_ALGORITHMS });
    const credential = JSON.parse(decoder.decode(payload)) as unknown;
    if (!credential || typeof credential !== 'object' || Array.isArray(credential)) return { valid: false, reason: 'its payload is not a credential', header };
    return { valid: true, header, credential: credential as Record<string, unknown> };
  } catch {
    // jose raises several kinds of error (and plain TypeErrors) for a bad signature or a malformed token: all mean "not valid".
    return { valid: false, reason: 'the signature does not match the credential', ...unverified };
  }
}
