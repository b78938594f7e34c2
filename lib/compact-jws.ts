import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import type { JWK } from 'jose';

/*
 * Compact JWS (RFC 7515) signed and verified with node:crypto, synchronously,
 * for the hub's own tokens, which are made and checked on every hop of every
 * request. jose does the same through WebCrypto, whose every signature is a job
 * on libuv's thread pool: under load the main thread waited on it ~20 % of the
 * time, and the job's bookkeeping cost more than the signature. A P-256
 * signature here costs ~50 µs to make and ~95 µs to check, on the caller's
 * thread, with no hop (measured by npm run bench:tokens).
 *
 * Only what the hub's tokens use: ES256 (P-256, the IEEE P1363 r||s signature
 * JWS requires) and EdDSA (Ed25519), one compact serialisation, no unencoded
 * payloads or critical headers. Claims are checked by the caller.
 */

export type CompactAlgorithm = 'ES256' | 'EdDSA';
const ALGORITHMS: readonly string[] = ['ES256', 'EdDSA'];
/** Every part is base64url; a token longer than this is no hub token. */
const MAX_TOKEN_LENGTH = 16_384;

export class CompactJwsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompactJwsError';
  }
}

/** The algorithm a JWK signs with: its own `alg`, else what its key type implies. */
export function algorithmOf(jwk: JWK): CompactAlgorithm {
  const alg: string | undefined = jwk.alg ?? (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined);
  if (alg !== 'ES256' && alg !== 'EdDSA') throw new CompactJwsError(`keys of algorithm ${String(alg)} are not supported here (ES256 or EdDSA)`);
  return alg;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export interface CompactSigner {
  alg: CompactAlgorithm;
  kid: string;
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): string;
}

/** A signer over a private JWK (its `kid` goes into every header). */
export function compactSigner(privateJwk: JWK): CompactSigner {
  const alg = algorithmOf(privateJwk);
  const key = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  const kid = String(privateJwk.kid ?? '');
  return {
    alg,
    kid,
    sign(header, payload) {
      const input = `${base64url(JSON.stringify({ ...header, alg, kid }))}.${base64url(JSON.stringify(payload))}`;
      const signature = alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}

export interface DecodedCompact {
  header: Record<string, unknown> & { alg: CompactAlgorithm };
  payload: Record<string, unknown>;
  /** What the signature covers, and the signature. */
  input: string;
  signature: Buffer;
}

const PART = /^[A-Za-z0-9_-]+$/;

function json(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new CompactJwsError('a part of the token is not base64url JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CompactJwsError('a part of the token is not a JSON object');
  return value as Record<string, unknown>;
}

/** Splits and decodes a compact JWS without trusting it (the signature is checked by `verifyCompact`). */
export function decodeCompact(token: string): DecodedCompact {
  if (token.length > MAX_TOKEN_LENGTH) throw new CompactJwsError('the token is too long');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => PART.test(part))) throw new CompactJwsError('not a compact JWS');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = json(headerPart);
  if (typeof header['alg'] !== 'string' || !ALGORITHMS.includes(header['alg'])) throw new CompactJwsError('the token is signed with an algorithm not allowed here');
  if ('crit' in header || header['b64'] === false) throw new CompactJwsError('the token uses JWS extensions not allowed here');
  return { header: header as DecodedCompact['header'], payload: json(payloadPart), input: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, 'base64url') };
}

/** Whether `key` made the token's signature with the header's algorithm (the key's type must match it). */
export function verifyCompact(decoded: DecodedCompact, key: KeyObject): boolean {
  const expected = decoded.header.alg === 'EdDSA' ? 'ed25519' : 'ec';
  if (key.asymmetricKeyType !== expected) return false;
  if (decoded.header.alg === 'EdDSA') return verify(null, Buffer.from(decoded.input), key, decoded.signature);
  // P1363 r||s of P-256 is exactly 64 bytes; anything else is no ES256 signature.
  if (decoded.signature.length !== 64 || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
  return verify('sha256', Buffer.from(decoded.input), { key, dsaEncoding: 'ieee-p1363' }, decoded.signature);
}

/**
 * The node:crypto key behind what a jose key set returned (a CryptoKey, a KeyObject or a JWK), converted once
 * per `converted` (the caller's own memo: a verifier keeps one for the keys of its set).
 */
export function keyObjectOf(key: unknown, converted: WeakMap<object, KeyObject> = new WeakMap()): KeyObject {
  if (key instanceof KeyObject) return key;
  if (key !== null && typeof key === 'object') {
    let known = converted.get(key);
    if (!known) {
      known = 'kty' in key ? createPublicKey({ key: key as never, format: 'jwk' }) : KeyObject.from(key as CryptoKey);
      converted.set(key, known);
    }
    return known;
  }
  throw new CompactJwsError('the key set returned no usable key');
}
