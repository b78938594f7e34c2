import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IssuerIdentity } from './issue.js';
import type { IssuerKeyRing } from './keys.js';
import type { RegistryHolder } from '../members/registry-watch.js';
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

/** Members the registry added (or renamed) and removed while the service runs. */
export interface RegisterMemberChange {
  added: readonly RegisterMember[];
  renamed: readonly RegisterMember[];
  removed: readonly string[];
}

/**
 * Follows the member registry while the service runs (docs/members.md, "Join"
 * and "Leave"). A member that joins is trusted from now: nothing was issued
 * for it before. A member that leaves is trusted until now: credentials
 * issued for it before still verify (trust is judged at the time of issue),
 * and a credential dated later is refused. A member that comes back has its
 * entry opened again: while it was out the router did not route to it, so
 * nothing was issued for it in between.
 */
export async function updateRegisterMembers(orm: MikroORM, change: RegisterMemberChange, now: Date = new Date()): Promise<{ admitted: string[]; closed: string[]; reopened: string[] }> {
  const em = orm.em.fork() as SqlEntityManager;
  const result = { admitted: [] as string[], closed: [] as string[], reopened: [] as string[] };
  for (const member of [...change.added, ...change.renamed]) {
    const stored = await em.findOne(TrustedIssuer, { id: memberIssuerId(member.id) });
    if (!stored) {
      em.create(TrustedIssuer, { id: memberIssuerId(member.id), name: member.name, role: 'MEMBER', memberId: member.id, validFrom: now, validUntil: null } as never);
      result.admitted.push(member.id);
      continue;
    }
    stored.name = member.name;
    if (stored.validUntil && change.added.includes(member)) {
      stored.validUntil = null;
      result.reopened.push(member.id);
    }
  }
  for (const memberId of change.removed) {
    const stored = await em.findOne(TrustedIssuer, { id: memberIssuerId(memberId) });
    if (stored && !stored.validUntil) {
      stored.validUntil = now;
      result.closed.push(memberId);
    }
  }
  await em.flush();
  return result;
}

/** Keeps the register's members in step with a live member registry (the issuance service's own, or the embedded hub's). */
export function followMemberRegistry(orm: MikroORM, holder: RegistryHolder, logger: Logger): void {
  let queue: Promise<unknown> = Promise.resolve();
  holder.onChange((change, registry) => {
    const member = (id: string) => {
      const entry = registry.get(id);
      return entry ? [{ id: entry.id, name: entry.name }] : [];
    };
    const update = { added: change.added.flatMap(member), renamed: change.changed.flatMap(member), removed: change.removed };
    // One update at a time, in the order the registry changed.
    queue = queue
      .then(() => updateRegisterMembers(orm, update))
      .then(
        (result) => {
          const parts = [
            result.admitted.length ? `trusted from now: ${result.admitted.join(', ')}` : '',
            result.reopened.length ? `trusted again: ${result.reopened.join(', ')}` : '',
            result.closed.length ? `no longer trusted for credentials issued from now: ${result.closed.join(', ')}` : '',
          ].filter(Boolean);
          if (parts.length) logger.info(`register of trusted issuers updated from the member registry: ${parts.join('; ')}`);
        },
        (error: unknown) => logger.error('register of trusted issuers not updated from the member registry', { error: error instanceof Error ? error.message : String(error) }),
      );
  });
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
