import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IssuerIdentity } from './issue.js';
import type { IssuerKeyRing } from './keys.js';
import { TrustedIssuer, TrustedIssuerKey } from './records.js';

/*
 * The register of trusted issuers: the alliance (which seals) with every key
 * it has sealed with and when each came into use, and the members on whose
 * behalf it issues. A credential is from a trusted issuer when, at the moment
 * it was issued, its issuer was in the register and the key that sealed it
 * was one of that issuer's keys.
 */

export interface RegisterMember {
  id: string;
  name: string;
}

/** The issuer's member page URI in the register (members do not seal; they are listed as awarding bodies). */
export function memberIssuerId(memberId: string): string {
  return `https://${memberId}`;
}

/**
 * Brings the register up to date at start: the alliance and its keys (a key
 * new to the register is trusted from when it came into use), and the members.
 * Existing entries keep their validity periods (an operator may have ended one).
 */
export async function syncRegister(orm: MikroORM, issuer: IssuerIdentity, keys: IssuerKeyRing, members: readonly RegisterMember[]): Promise<void> {
  const em = orm.em.fork() as SqlEntityManager;
  const firstKey = keys.keys[0]?.createdAt ?? new Date();
  if (!(await em.findOne(TrustedIssuer, { id: issuer.id }))) {
    em.create(TrustedIssuer, { id: issuer.id, name: issuer.name, role: 'ALLIANCE', memberId: null, validFrom: firstKey, validUntil: null } as never);
  }
  const now = new Date();
  for (const [index, key] of keys.keys.entries()) {
    // A key stops being trusted for new seals once a newer one is in use (from this start on; until
    // then the service still sealed with it): a leaked old key cannot make credentials dated later.
    const retiredAt = index < keys.keys.length - 1 ? now : null;
    const stored = await em.findOne(TrustedIssuerKey, { kid: key.kid });
    if (!stored) {
      em.create(TrustedIssuerKey, { kid: key.kid, issuerId: issuer.id, publicJwk: JSON.stringify(key.publicJwk), validFrom: key.createdAt, validUntil: retiredAt } as never);
    } else if (retiredAt && !stored.validUntil) {
      stored.validUntil = retiredAt;
    }
  }
  for (const member of members) {
    const id = memberIssuerId(member.id);
    if (!(await em.findOne(TrustedIssuer, { id }))) {
      em.create(TrustedIssuer, { id, name: member.name, role: 'MEMBER', memberId: member.id, validFrom: firstKey, validUntil: null } as never);
    }
  }
  await em.flush();
}

const within = (at: Date, from: Date, until: Date | null | undefined) => at.getTime() >= from.getTime() && (!until || at.getTime() < until.getTime());

export type TrustDecision = { trusted: true; issuerName: string } | { trusted: false; reason: string };

interface RegisterEntry {
  issuer: TrustedIssuer | null;
  key: TrustedIssuerKey | null;
}

/** How long a register entry read from the database is reused. */
export const REGISTER_CACHE_MS = 5_000;

/**
 * Answers "was `issuerId` a trusted issuer, sealing with key `kid`, at `at`?".
 * Entries are read from the register and reused for REGISTER_CACHE_MS, so
 * verifying thousands of credentials a second does not query it each time,
 * and an operator ending an issuer's or a key's trust is obeyed within
 * seconds.
 */
export class TrustRegister {
  private readonly entries = new Map<string, { entry: Promise<RegisterEntry>; readAt: number }>();

  constructor(private readonly orm: MikroORM) {}

  private read(issuerId: string, kid: string): Promise<RegisterEntry> {
    const cacheKey = `${issuerId}\u0000${kid}`;
    const cached = this.entries.get(cacheKey);
    if (cached && Date.now() - cached.readAt < REGISTER_CACHE_MS) return cached.entry;
    const em = this.orm.em.fork() as SqlEntityManager;
    const entry = Promise.all([em.findOne(TrustedIssuer, { id: issuerId }), em.findOne(TrustedIssuerKey, { kid })]).then(([issuer, key]) => ({ issuer, key }));
    if (this.entries.size > 1_000) this.entries.clear();
    this.entries.set(cacheKey, { entry, readAt: Date.now() });
    entry.catch(() => this.entries.delete(cacheKey));
    return entry;
  }

  /**
   * `at`: when the credential was issued (the issuer must have been trusted
   * then); `keyAt`: when the seal was made (the key must have been in use
   * then) - the same for a vc+jwt, the signing time for a JAdES form sealed later.
   */
  async trustedAt(issuerId: string, kid: string, at: Date, keyAt: Date = at): Promise<TrustDecision> {
    const { issuer, key } = await this.read(issuerId, kid);
    if (!issuer) return { trusted: false, reason: `its issuer "${issuerId}" is not in the alliance's register of trusted issuers` };
    if (!within(at, issuer.validFrom, issuer.validUntil)) {
      return { trusted: false, reason: `its issuer "${issuer.name}" was not a trusted issuer on ${at.toISOString()}, when it was issued` };
    }
    if (!key || key.issuerId !== issuer.id) return { trusted: false, reason: `the key "${kid}" is not registered for ${issuer.name}` };
    // Seal times come in whole seconds (JAdES sigT, JWT iat): a key counts as in use from the start of the
    // second it came into use, or a seal made in that second would look older than its key.
    const keyFrom = new Date(Math.floor(key.validFrom.getTime() / 1000) * 1000);
    if (!within(keyAt, keyFrom, key.validUntil)) {
      return { trusted: false, reason: `the key "${kid}" of ${issuer.name} was not in use on ${keyAt.toISOString()}, when it was sealed` };
    }
    return { trusted: true, issuerName: issuer.name };
  }
}
