import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { buildCredential } from './edc.js';
import type { CredentialFacts } from './facts.js';
import { ISSUING_ALGORITHM } from './keys.js';
import { sealCredential } from './seal.js';

/*
 * A sealing worker: writes and seals credentials on another core. It reads
 * the issuing key from its file itself, so the key stays within the issuance
 * service's process and never travels in a message.
 */

export type SealWorkerRequest =
  | { type: 'init'; privateKeyPath: string; kid: string }
  | { type: 'seal'; id: number; items: CredentialFacts[] };

export type SealWorkerAnswer = { id: number; jwts: string[] } | { id: number; error: string };

let key: { signingKey: CryptoKey; kid: string } | undefined;

parentPort?.on('message', (message: SealWorkerRequest) => {
  void (async () => {
    if (message.type === 'init') {
      const jwk = JSON.parse(readFileSync(message.privateKeyPath, 'utf8')) as JWK;
      key = { signingKey: (await importJWK(jwk, ISSUING_ALGORITHM)) as CryptoKey, kid: message.kid };
      return;
    }
    try {
      if (!key) throw new Error('the sealing worker has no key');
      const jwts: string[] = [];
      for (const facts of message.items) jwts.push(await sealCredential(buildCredential(facts), key));
      parentPort?.postMessage({ id: message.id, jwts } satisfies SealWorkerAnswer);
    } catch (error) {
      parentPort?.postMessage({ id: message.id, error: (error as Error).message } satisfies SealWorkerAnswer);
    }
  })();
});
