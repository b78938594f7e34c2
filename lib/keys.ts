import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

export interface SigningKeyFiles {
  privatePath: string;
  jwksPath: string;
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
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const suffix = `.${process.pid}.${randomUUID()}`;
    writeFileSync(`${files.jwksPath}${suffix}`, `${JSON.stringify({ keys: [{ ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' }] }, null, 2)}\n`);
    writeFileSync(`${files.privatePath}${suffix}`, `${JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM, use: 'sig' })}\n`, { mode: 0o600 });
    chmodSync(`${files.privatePath}${suffix}`, 0o600);
    renameSync(`${files.jwksPath}${suffix}`, files.jwksPath);
    renameSync(`${files.privatePath}${suffix}`, files.privatePath);
  }
  return {
    privateJwk: JSON.parse(readFileSync(files.privatePath, 'utf8')) as JWK,
    jwks: JSON.parse(readFileSync(files.jwksPath, 'utf8')) as { keys: JWK[] },
  };
}
