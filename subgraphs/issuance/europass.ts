import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../lib/orm.js';
import { toEuropassForm } from './edc.js';
import { signJades } from './jades.js';
import type { IssuerKeyRing } from './keys.js';
import { JadesSeal, type IssuedCredential } from './records.js';
import { readUnverified } from './seal.js';

/*
 * The form Europass and the other EDC tools import: the credential's Europass
 * form (edc.ts toEuropassForm: the EBSI schema as published passes it) sealed
 * as JAdES (jades.ts). A seal is made on the first request and kept, so the
 * document - and its signing time - is the same on every fetch; it is made
 * again only when the alliance's issuing key has been rotated since.
 */

/** The sealed JAdES document of a stored credential, from the cache or sealed now. */
export async function europassJades(em: SqlEntityManager, keys: IssuerKeyRing, credential: IssuedCredential, now: Date = new Date()): Promise<string> {
  const cached = await em.fork().findOne(JadesSeal, { credentialSerial: credential.serial });
  if (cached && cached.kid === keys.current.kid) return cached.document;
  const payload = toEuropassForm(readUnverified(credential.jwt).credential ?? {});
  const document = JSON.stringify(await signJades(payload, { privateKey: keys.signingKey, alg: 'ES256', kid: keys.current.kid }, now));
  try {
    if (cached) {
      // Only over the seal this request saw: a concurrent re-seal with the same new key is as good.
      await em.fork().nativeUpdate(JadesSeal, { credentialSerial: credential.serial, kid: cached.kid }, { kid: keys.current.kid, document, sealedAt: now });
    } else {
      await em.fork().insert(JadesSeal, { credentialSerial: credential.serial, kid: keys.current.kid, document, sealedAt: now } as JadesSeal);
    }
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  // Whatever won a race is the seal every caller gets from now on.
  const stored = await em.fork().findOne(JadesSeal, { credentialSerial: credential.serial });
  return stored && stored.kid === keys.current.kid ? stored.document : document;
}

export interface EuropassFile {
  fileName: string;
  mediaType: string;
  content: string;
}

/** The credential as a file to upload to a Europass wallet (the JAdES JSON document, named as the Commission names its samples). */
export function europassFile(credential: IssuedCredential, document: string): EuropassFile {
  const slug = credential.title.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).toLowerCase() || 'credential';
  return { fileName: `${slug}-${credential.id.slice('urn:uuid:'.length, 'urn:uuid:'.length + 8)}-signed.jsonld`, mediaType: 'application/jose+json', content: document };
}
