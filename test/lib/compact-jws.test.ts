import { createPublicKey } from 'node:crypto';
import { compactVerify, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { compactSigner, decodeCompact, keyObjectOf, verifyCompact } from '../../lib/compact-jws.js';

/*
 * The hub's own compact JWS (lib/compact-jws.ts): standard tokens both ways
 * with jose, and nothing a forger could bend: another algorithm, a changed
 * payload, a signature of the wrong shape, a key of the wrong type.
 */

async function keyPair(alg: 'ES256' | 'EdDSA') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), alg, kid: `k-${alg}` };
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg, kid: `k-${alg}` };
  return { privateJwk, publicJwk, publicKey: createPublicKey({ key: publicJwk as never, format: 'jwk' }) };
}

describe.each(['ES256', 'EdDSA'] as const)('%s', (alg) => {
  it('signs what jose verifies, and verifies what jose signs', async () => {
    const { privateJwk, publicJwk, publicKey } = await keyPair(alg);
    const token = compactSigner(privateJwk).sign({ typ: 'hub+jwt' }, { sub: 'a', n: 1 });
    const checked = await compactVerify(token, await importJWK(publicJwk, alg));
    expect(JSON.parse(new TextDecoder().decode(checked.payload))).toEqual({ sub: 'a', n: 1 });
    expect(checked.protectedHeader).toEqual({ typ: 'hub+jwt', alg, kid: `k-${alg}` });
    const theirs = await new SignJWT({ sub: 'b' }).setProtectedHeader({ alg, kid: `k-${alg}`, typ: 'hub+jwt' }).sign(await importJWK(privateJwk, alg));
    const decoded = decodeCompact(theirs);
    expect(verifyCompact(decoded, publicKey)).toBe(true);
    expect(decoded.payload).toEqual({ sub: 'b' });
  });

  it('refuses a changed payload, a truncated signature and a key of another type', async () => {
    const { privateJwk, publicKey } = await keyPair(alg);
    const other = await keyPair(alg === 'ES256' ? 'EdDSA' : 'ES256');
    const token = compactSigner(privateJwk).sign({ typ: 'hub+jwt' }, { sub: 'a' });
    const [header, , signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${signature}`;
    expect(verifyCompact(decodeCompact(forged), publicKey)).toBe(false);
    expect(verifyCompact(decodeCompact(`${token.slice(0, -4)}`), publicKey)).toBe(false);
    expect(verifyCompact(decodeCompact(token), other.publicKey)).toBe(false);
    expect(verifyCompact(decodeCompact(token), keyObjectOf(other.publicJwk))).toBe(false);
  });
});

describe('what is no hub token at all', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64({ sub: 'a' })}.`],
    ['an HMAC algorithm', `${b64({ alg: 'HS256' })}.${b64({ sub: 'a' })}.c2ln`],
    ['critical extensions', `${b64({ alg: 'ES256', crit: ['exp'] })}.${b64({ sub: 'a' })}.c2ln`],
    ['an unencoded payload', `${b64({ alg: 'ES256', b64: false })}.${b64({ sub: 'a' })}.c2ln`],
    ['four parts', `${b64({ alg: 'ES256' })}.${b64({ sub: 'a' })}.c2ln.c2ln`],
    ['a payload that is no object', `${b64({ alg: 'ES256' })}.${b64([1])}.c2ln`],
    ['characters outside base64url', `${b64({ alg: 'ES256' })}.${b64({ sub: 'a' })}.c2l+`],
    ['an over-long token', `${b64({ alg: 'ES256' })}.${'A'.repeat(20_000)}.c2ln`],
  ])('refuses %s', (_name, token) => expect(() => decodeCompact(token)).toThrow());
});
