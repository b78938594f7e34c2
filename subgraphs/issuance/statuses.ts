import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../lib/orm.js';
import { Bitstring, statusListCredential, STATUS_LIST_LENGTH, type StatusPurpose } from '../../lib/status-list.js';
import type { IssuerIdentity } from './issue.js';
import { statusListUrl } from './issue.js';
import type { IssuerKeyRing } from './keys.js';
import { sealCredential } from './seal.js';

/*
 * The status lists (W3C Bitstring Status List v1.0), one pair (revocation,
 * suspension) per 131,072 credentials. The bits are read from the credential
 * rows, so a list can never disagree with the records; each list is cached
 * until a credential in it changes status. This process is the only writer of
 * statuses, so invalidating here makes a change visible to the very next
 * verification and the very next list download.
 */

export type { StatusPurpose };
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

interface CachedList {
  bits: Bitstring;
  sealed?: { jwt: string; at: number };
}

/** A sealed list is valid for a day and sealed afresh every hour, so an old copy cannot be passed off for long. */
const LIST_VALIDITY_MS = 24 * 60 * 60 * 1000;
const RESEAL_AFTER_MS = 60 * 60 * 1000;

/** Lists kept in memory at once (each 16 KB plus its seal); the oldest read is dropped first. */
const MAX_CACHED_LISTS = 64;
/** How often a question about a list beyond the last one known may look again (new credentials open new lists). */
const RECOUNT_AFTER_MS = 1000;

export class StatusLists {
  private readonly cache = new Map<string, Promise<CachedList>>();
  private count: { lists: number; at: number } | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly issuer: IssuerIdentity,
    private readonly keys: IssuerKeyRing,
  ) {}

  private async read(purpose: StatusPurpose, list: number): Promise<CachedList> {
    const em = this.orm.em.fork() as SqlEntityManager;
    const column = purpose === 'revocation' ? 'revoked_at' : 'suspended_at';
    const first = list * STATUS_LIST_LENGTH + 1;
    const rows = (await em
      .getKnex()('issued_credential')
      .select('serial')
      .whereNotNull(column)
      .andWhere('serial', '>=', first)
      .andWhere('serial', '<', first + STATUS_LIST_LENGTH)) as { serial: number }[];
    const bits = new Bitstring(STATUS_LIST_LENGTH);
    for (const { serial } of rows) bits.set(Number(serial) - first, true);
    return { bits };
  }

  private entry(purpose: StatusPurpose, list: number): Promise<CachedList> {
    const key = `${purpose}:${list}`;
    let cached = this.cache.get(key);
    if (!cached) {
      cached = this.read(purpose, list);
      if (this.cache.size >= MAX_CACHED_LISTS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, cached);
      // A failed read is not kept.
      cached.catch(() => this.cache.delete(key));
    }
    return cached;
  }

  /**
   * Whether bit `index` of list `list` is set; null when there is no such
   * list. Asking for lists that hold no credential costs neither a query
   * (beyond one recount a second) nor a place in the cache, whoever asks:
   * the public list route and verification of any credential go through here.
   */
  async isSet(purpose: StatusPurpose, list: number, index: number): Promise<boolean | null> {
    if (!(await this.exists(list)) || !Number.isSafeInteger(index) || index < 0 || index >= STATUS_LIST_LENGTH) return null;
    return (await this.entry(purpose, list)).bits.get(index);
  }

  /** Whether list `list` exists: it holds an issued credential (list 0 always exists). */
  async exists(list: number): Promise<boolean> {
    if (!Number.isSafeInteger(list) || list < 0) return false;
    if (!this.count || (list >= this.count.lists && Date.now() - this.count.at > RECOUNT_AFTER_MS)) {
      const em = this.orm.em.fork() as SqlEntityManager;
      const [row] = (await em.getKnex()('issued_credential').max({ top: 'serial' })) as { top: number | string | null }[];
      const top = Number(row?.top ?? 0);
      this.count = { lists: top === 0 ? 1 : Math.floor((top - 1) / STATUS_LIST_LENGTH) + 1, at: Date.now() };
    }
    return list < this.count.lists;
  }

  /** Forget the lists holding this credential: its status changed. */
  invalidate(serial: number): void {
    const list = Math.floor((serial - 1) / STATUS_LIST_LENGTH);
    for (const purpose of STATUS_PURPOSES) this.cache.delete(`${purpose}:${list}`);
  }

  /** The status list credential, sealed as vc+jwt like every credential the alliance issues. */
  async sealedList(purpose: StatusPurpose, list: number): Promise<string | null> {
    if (!(await this.exists(list))) return null;
    const entry = await this.entry(purpose, list);
    const now = Date.now();
    if (!entry.sealed || now - entry.sealed.at > RESEAL_AFTER_MS) {
      const id = statusListUrl(this.issuer, purpose, list);
      const credential = statusListCredential({
        id,
        issuer: this.issuer.id,
        statusPurpose: purpose,
        encodedList: entry.bits.encode(),
        validFrom: new Date(now),
        validUntil: new Date(now + LIST_VALIDITY_MS),
      });
      entry.sealed = { jwt: await sealCredential(credential, { signingKey: this.keys.signingKey, kid: this.keys.current.kid }), at: now };
    }
    return entry.sealed.jwt;
  }
}
