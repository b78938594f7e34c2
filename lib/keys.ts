import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

export interface SigningKeyFiles {
  privatePath: string;
  jwksPath: string;
}

/** A new ES256 key pair as JWKs, its kid the public key's thumbprint (RFC 7638). */
export async function generateSigningKey(): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM },
    publicJwk: { ...exported, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
  };
}

/**
 * Writes a file whole or not at all (a temporary file renamed into place), so
 * a reader or a second process never sees half a key. `mode` 0600 for private keys.
 */
export function writeFileAtomically(path: string, content: string, mode?: number): void {
  const temporary = `${path}.${process.pid}.${randomUUID()}`;
  writeFileSync(temporary, content, mode === undefined ? {} : { mode });
  if (mode !== undefined) chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/**
 * An ES256 signing key kept in two files: the private JWK (mode 0600) and the
 * public key set to publish. Created on first use, written atomically (the
 * public set first), so two processes starting together on one volume end up
 * with one consistent key.
 */
export async function ensureSigningKey(files: SigningKeyFiles): Promise<{ privateJwk: JWK; jwks: { keys: JWK[] } }> {
  if (!existsSync(files.privatePath)) {
    mkdirSync(dirname(files.privatePath), { recursive: true, mode: 0o700 });
    const key = await generateSigningKey();
    writeFileAtomically(files.jwksPath, `${JSON.stringify({ keys: [key.publicJwk] }, null, 2)}\n`);
    writeFileAtomically(files.privatePath, `${JSON.stringify({ ...key.privateJwk, use: 'sig' })}\n`, 0o600);
  }
  return {
    privateJwk: JSON.parse(readFileSync(files.privatePath, 'utf8')) as JWK,
    jwks: JSON.parse(readFileSync(files.jwksPath, 'utf8')) as { keys: JWK[] },
  };
}
