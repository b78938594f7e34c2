import { importJWK, type CryptoKey, type JWK } from 'jose';
import { serveWorker } from '../../lib/worker-pool.js';
import { ISSUING_ALGORITHM } from './keys.js';
import { createCredentialValidator } from './schemas.js';
import { checkSignature } from './seal.js';
import { checkedParts } from './verify.js';
import type { CompactCheck, VerifyWorkerInit } from './verify-pool.js';

/*
 * A verifying worker: the parts of verifying a vc+jwt that only need the
 * credential and public keys (decoding, the signature, both JSON Schemas) on
 * another core. What changes while the service runs (the register of trusted
 * issuers, the status lists) stays with the main thread.
 */

serveWorker<VerifyWorkerInit, string, CompactCheck>(async (init) => {
  const keys = new Map<string, CryptoKey>();
  for (const jwk of init.jwks) {
    // The same import as the key ring's publicKey(), so both paths accept exactly the same keys.
    if (typeof jwk.kid === 'string') keys.set(jwk.kid, (await importJWK(jwk as JWK, ISSUING_ALGORITHM)) as CryptoKey);
  }
  const validator = createCredentialValidator({ allowBitstringStatusList: true, ...(init.schemasDir ? { dir: init.schemasDir } : {}) });
  return async (jwt) => {
    const signature = await checkSignature(jwt, async (kid) => keys.get(kid));
    if (!signature.valid) return { signature: signature.credential ? { ...signature, credential: checkedParts(signature.credential) } : signature, schema: null };
    return { signature: { ...signature, credential: checkedParts(signature.credential) }, schema: validator.validate(signature.credential) };
  };
});
