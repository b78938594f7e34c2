import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';

/*
 * Holder keys: the key a wallet proves it holds (OID4VCI proofs of possession,
 * OID4VP presentations), named in a JWS header by a DID URL (`kid`: did:key,
 * did:jwk) or given as a JWK (`jwk`). Only methods that resolve from the
 * identifier alone are accepted - nothing is fetched - and only asymmetric
 * keys a wallet uses (P-256, Ed25519).
 */

export const HOLDER_ALGORITHMS = ['ES256', 'EdDSA'] as const;
export const HOLDER_BINDING_METHODS = ['did:key', 'did:jwk', 'jwk'] as const;

export interface HolderKey {
  /** The public JWK (no private members). */
  jwk: JWK;
  /** The holder's id: the DID, or did:jwk of the JWK when only a JWK was given. */
  did: string;
  /** RFC 7638 thumbprint of the JWK: what binds a credential to it. */
  thumbprint: string;
}

export class HolderKeyError extends Error {}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(text: string): Buffer {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) throw new HolderKeyError('the did:key is not base58btc');
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  for (const char of text) {
    if (char !== '1') break;
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}

function readVarint(bytes: Buffer): { value: number; length: number } {
  let value = 0;
  let shift = 0;
  for (let index = 0; index < Math.min(bytes.length, 4); index += 1) {
    const byte = bytes[index] as number;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, length: index + 1 };
    shift += 7;
  }
  throw new HolderKeyError('the did:key has no multicodec prefix');
}

/** A compressed P-256 point as a JWK, through an SPKI document Node reads. */
function p256Jwk(point: Buffer): JWK {
  const spkiPrefix = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
  const jwk = createPublicKey({ key: Buffer.concat([spkiPrefix, point]), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
}

/** The public JWK a did:key or did:jwk names (method-specific id only; no fetching). */
export function resolveDid(did: string): JWK {
  if (did.startsWith('did:jwk:')) {
    try {
      return publicOnly(JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8')) as JWK);
    } catch (error) {
      if (error instanceof HolderKeyError) throw error;
      throw new HolderKeyError('the did:jwk does not hold a JWK');
    }
  }
  if (did.startsWith('did:key:z')) {
    const bytes = base58Decode(did.slice('did:key:z'.length));
    const { value: codec, length } = readVarint(bytes);
    const key = bytes.subarray(length);
    if (codec === 0x1200 && key.length === 33) return p256Jwk(key);
    if (codec === 0xed && key.length === 32) return { kty: 'OKP', crv: 'Ed25519', x: key.toString('base64url') };
    // jwk_jcs-pub (EBSI's did:key for natural persons): the JWK itself, canonical JSON.
    if (codec === 0xeb51) return publicOnly(JSON.parse(key.toString('utf8')) as JWK);
    throw new HolderKeyError('the did:key is not a P-256, Ed25519 or jwk_jcs-pub key');
  }
  throw new HolderKeyError(`only ${HOLDER_BINDING_METHODS.join(', ')} holder keys are accepted`);
}

function publicOnly(jwk: JWK): JWK {
  if (typeof jwk !== 'object' || jwk === null) throw new HolderKeyError('the key is not a JWK');
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw new HolderKeyError('a private or symmetric key was sent instead of a public key');
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  throw new HolderKeyError('the key is neither a P-256 nor an Ed25519 public key');
}

/** did:jwk of a public JWK (the holder id of a wallet that proves a bare JWK). */
export function didJwk(jwk: JWK): string {
  return `did:jwk:${Buffer.from(JSON.stringify(publicOnly(jwk))).toString('base64url')}`;
}

/** The holder key a JWS header names: `kid` as a DID URL, or `jwk` (never both). */
export async function holderKeyOf(header: { kid?: unknown; jwk?: unknown; x5c?: unknown }): Promise<HolderKey> {
  if (header.x5c !== undefined) throw new HolderKeyError('certificate-bound keys (x5c) are not accepted from wallets');
  if (header.kid !== undefined && header.jwk !== undefined) throw new HolderKeyError('the header names its key twice ("kid" and "jwk")');
  let jwk: JWK;
  let did: string;
  if (typeof header.kid === 'string' && header.kid.startsWith('did:')) {
    did = header.kid.split('#')[0] as string;
    jwk = resolveDid(did);
  } else if (header.jwk && typeof header.jwk === 'object') {
    jwk = publicOnly(header.jwk as JWK);
    did = didJwk(jwk);
  } else {
    throw new HolderKeyError('the header names no holder key (a DID URL in "kid", or "jwk")');
  }
  return { jwk, did, thumbprint: await calculateJwkThumbprint(jwk) };
}

/**
 * Verifies a JWT signed with the holder key its own header names, with the
 * expected `typ`; returns the key and the claims. Throws HolderKeyError with
 * the reason (a wallet reads it).
 */
export async function verifyHolderJwt(jwt: string, typ: readonly string[], clockToleranceSeconds = 60): Promise<{ key: HolderKey; payload: JWTPayload; header: Record<string, unknown> }> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>;
  } catch {
    throw new HolderKeyError('it is not a compact JWS');
  }
  if (!typ.includes(String(header['typ']))) throw new HolderKeyError(`its "typ" must be ${typ.map((value) => `"${value}"`).join(' or ')}`);
  if (!(HOLDER_ALGORITHMS as readonly string[]).includes(String(header['alg']))) throw new HolderKeyError(`its algorithm must be one of ${HOLDER_ALGORITHMS.join(', ')}`);
  const key = await holderKeyOf(header);
  try {
    const { payload } = await jwtVerify(jwt, await importJWK(key.jwk, String(header['alg'])), { algorithms: [...HOLDER_ALGORITHMS], clockTolerance: clockToleranceSeconds, typ: String(header['typ']) });
    return { key, payload, header };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new HolderKeyError('it has expired');
    throw new HolderKeyError('its signature does not match the key it names');
  }
}
