import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { generateSigningKey, SIGNING_ALGORITHM, writeFileAtomically } from '../../lib/keys.js';

/*
 * The alliance's issuing keys: the key that seals credentials. Each key is a
 * pair of files in the key folder: `issuer-<kid>.private.jwk` (mode 0600,
 * never leaves the issuance service) and `issuer-<kid>.public.json` (its
 * public JWK and when it came into use). New credentials use the newest key;
 * every key ever used stays in the published key set, so credentials sealed
 * with a retired key keep verifying. Rotation adds a key; nothing is deleted.
 */

/** The alliance seals with the hub's one signing algorithm (ES256). */
export const ISSUING_ALGORITHM = SIGNING_ALGORITHM;

export interface IssuerKey {
  kid: string;
  publicJwk: JWK;
  /** When the key came into use (new credentials are sealed with the newest). */
  createdAt: Date;
}

export interface IssuerKeyRing {
  /** Every key, oldest first. */
  keys: readonly IssuerKey[];
  /** The key new credentials are sealed with. */
  current: IssuerKey;
  /** The private key for `current` (loaded once). */
  signingKey: CryptoKey;
  /** The file of that private key (sealing workers read it themselves). */
  privateKeyPath: string;
  /** The public key set, as published. */
  jwks: { keys: JWK[] };
  /** A public key by kid, for verification. */
  publicKey(kid: string): Promise<CryptoKey | undefined>;
}

const PUBLIC_SUFFIX = '.public.json';

function readKeys(dir: string): IssuerKey[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith('issuer-') && name.endsWith(PUBLIC_SUFFIX))
    .map((name) => {
      const stored = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { jwk: JWK; createdAt: string };
      return { kid: stored.jwk.kid as string, publicJwk: stored.jwk, createdAt: new Date(stored.createdAt) };
    })
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.kid.localeCompare(b.kid));
}

/**
 * Writes a new issuing key into `dir` (the private half first, mode 0600,
 * both atomically) and returns it. `now` orders it after every existing key.
 */
export async function addIssuerKey(dir: string, now = new Date()): Promise<IssuerKey> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { kid, privateJwk, publicJwk } = await generateSigningKey();
  writeFileAtomically(join(dir, `issuer-${kid}.private.jwk`), `${JSON.stringify(privateJwk)}\n`, 0o600);
  writeFileAtomically(join(dir, `issuer-${kid}${PUBLIC_SUFFIX}`), `${JSON.stringify({ jwk: publicJwk, createdAt: now.toISOString() }, null, 2)}\n`);
  return { kid, publicJwk, createdAt: now };
}

/** An issuing key's private half, read from its file (the key ring and the sealing workers read it alike). */
export async function importIssuerPrivateKey(path: string): Promise<CryptoKey> {
  return (await importJWK(JSON.parse(readFileSync(path, 'utf8')) as JWK, ISSUING_ALGORITHM)) as CryptoKey;
}

/** An issuing key's public half, ready to verify with (the key ring and the verifying workers import alike). */
export function importIssuerPublicKey(jwk: JWK): Promise<CryptoKey> {
  return importJWK(jwk, ISSUING_ALGORITHM) as Promise<CryptoKey>;
}

/** Loads the key ring from `dir`, creating the first key when there is none (the embedded default). */
export async function loadIssuerKeys(dir: string, options: { create: boolean }): Promise<IssuerKeyRing> {
  let keys = readKeys(dir);
  if (keys.length === 0) {
    if (!options.create) throw new Error(`no issuing key in ${dir}: create one with npm run issuer:keys -- --dir ${dir}`);
    await addIssuerKey(dir);
    keys = readKeys(dir);
  }
  const current = keys[keys.length - 1] as IssuerKey;
  const privatePath = join(dir, `issuer-${current.kid}.private.jwk`);
  if (!existsSync(privatePath)) throw new Error(`the private half of the newest issuing key ${current.kid} is missing in ${dir}`);
  const signingKey = await importIssuerPrivateKey(privatePath);
  const imported = new Map<string, Promise<CryptoKey>>();
  return {
    keys,
    current,
    signingKey,
    privateKeyPath: privatePath,
    jwks: { keys: keys.map((key) => key.publicJwk) },
    publicKey(kid) {
      const key = keys.find((candidate) => candidate.kid === kid);
      if (!key) return Promise.resolve(undefined);
      let promise = imported.get(kid);
      if (!promise) {
        promise = importIssuerPublicKey(key.publicJwk);
        imported.set(kid, promise);
      }
      return promise;
    },
  };
}
