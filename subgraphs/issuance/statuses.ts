import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../lib/orm.js';
import { encodeList, statusListCredential, STATUS_LIST_LENGTH } from '../../lib/status-list.js';
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

export type StatusPurpose = 'revocation' | 'suspension';
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

interface CachedList {
  bits: Uint8Array;
  sealed?: { jwt: string; at: number };
}

/** A sealed list is valid for a day and sealed afresh every hour, so an old copy cannot be passed off for long. */
const LIST_VALIDITY_MS = 24 * 60 * 60 * 1000;
const RESEAL_AFTER_MS = 60 * 60 * 1000;

/** Lists kept in memory at once (each 16 KB plus its seal); the oldest read is dropped first. */
const MAX_CACHED_LISTS = 64;

export class StatusLists {
  private readonly cache = new Map<string, Promise<CachedList>>();

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
    const bits = new Uint8Array(STATUS_LIST_LENGTH / 8);
    for (const { serial } of rows) {
      const index = Number(serial) - first;
      // Index 0 is the most significant bit of byte 0 (Bitstring Status List v1.0).
      bits[index >> 3] = (bits[index >> 3] as number) | (0x80 >> (index & 7));
    }
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

  /** Whether bit `index` of list `list` is set. */
  async isSet(purpose: StatusPurpose, list: number, index: number): Promise<boolean> {
    const { bits } = await this.entry(purpose, list);
    return (((bits[index >> 3] as number) >> (7 - (index & 7))) & 1) === 1;
  }

  /** How many lists exist: those that hold an issued credential (list 0 always does). */
  async listCount(): Promise<number> {
    const em = this.orm.em.fork() as SqlEntityManager;
    const [row] = (await em.getKnex()('issued_credential').max({ top: 'serial' })) as { top: number | string | null }[];
    const top = Number(row?.top ?? 0);
    return top === 0 ? 1 : Math.floor((top - 1) / STATUS_LIST_LENGTH) + 1;
  }

  /** Forget the lists holding this credential: its status changed. */
  invalidate(serial: number): void {
    const list = Math.floor((serial - 1) / STATUS_LIST_LENGTH);
    for (const purpose of STATUS_PURPOSES) this.cache.delete(`${purpose}:${list}`);
  }

  /** The status list credential, sealed as vc+jwt like every credential the alliance issues. */
  async sealedList(purpose: StatusPurpose, list: number): Promise<string> {
    const entry = await this.entry(purpose, list);
    const now = Date.now();
    if (!entry.sealed || now - entry.sealed.at > RESEAL_AFTER_MS) {
      const id = statusListUrl(this.issuer, purpose, list);
      const credential = statusListCredential({
        id,
        issuer: this.issuer.id,
        statusPurpose: purpose,
        encodedList: encodeList(entry.bits),
        validFrom: new Date(now),
        validUntil: new Date(now + LIST_VALIDITY_MS),
      });
      entry.sealed = { jwt: await sealCredential(credential, { signingKey: this.keys.signingKey, kid: this.keys.current.kid }), at: now };
    }
    return entry.sealed.jwt;
  }
}
