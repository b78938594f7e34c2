import type { MikroORM } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import { postGraphQL } from '../../lib/http-client.js';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { CorrectionApplied, IssuedCredential, StatusEvent } from './records.js';
import type { FactSources } from './sources.js';
import type { StatusLists } from './statuses.js';

/*
 * Credentials of corrected achievements (issue 14, point 3; docs/members.md,
 * "Curation"). A member's staff correct an achievement at the member
 * (correctAchievement); members only answer calls, so this service asks
 * them: every `intervalMs` it reads the corrections since shortly before the
 * latest it acted on (through the member router, as an alliance
 * administrator) and suspends every credential issued for the achievement
 * before the correction, with the reason, in one transaction with the
 * record that it did (so each correction is acted on once, and a staff
 * member's later resume stands). The status lists then say "suspended".
 */

/** Who reads corrections: a service identity with the role the members allow for it. */
export const CORRECTIONS_READER: Principal = { kind: 'user', subject: 'service:issuance', roles: ['alliance-admin'] };

/** Read again this far before the latest correction acted on: members' clocks and commits are not in step. */
const OVERLAP_MS = 10 * 60_000;

const QUERY = /* GraphQL */ `query Corrections($since: DateTimeISO!) { achievementCorrections(since: $since) { achievementId revision correctedAt } }`;

export interface CorrectionCheck {
  read: number;
  applied: number;
  suspended: number;
  /** Members that did not answer (their corrections are read at the next check). */
  unavailable: string[];
}

export interface CorrectionWatcher {
  /** One check now (tests, and the timer). */
  check(): Promise<CorrectionCheck>;
  stop(): void;
}

export interface CorrectionWatcherOptions {
  orm: MikroORM;
  sources: FactSources;
  statuses: StatusLists;
  logger: Logger;
  /** How often to check; 0: only when `check()` is called. */
  intervalMs: number;
  now?: () => Date;
}

export function watchCorrections(options: CorrectionWatcherOptions): CorrectionWatcher {
  const now = options.now ?? (() => new Date());
  let running: Promise<CorrectionCheck> | null = null;

  async function read(since: Date): Promise<{ events: { achievementId: string; revision: number; correctedAt: string }[]; unavailable: string[] }> {
    const token = await options.sources.signer.sign(CORRECTIONS_READER, 'members');
    const body = await postGraphQL(options.sources.client, options.sources.membersUrl, { query: QUERY, variables: { since: since.toISOString() } }, { timeoutMs: options.sources.timeoutMs, headers: { authorization: `Bearer ${token}` } });
    const events = ((body.data as { achievementCorrections?: { achievementId: string; revision: number; correctedAt: string }[] | null } | null)?.achievementCorrections ?? []) as { achievementId: string; revision: number; correctedAt: string }[];
    const unavailable = (body.errors ?? []).flatMap((error) => (typeof error.extensions?.['member'] === 'string' ? [error.extensions['member'] as string] : []));
    return { events, unavailable };
  }

  async function apply(event: { achievementId: string; revision: number; correctedAt: string }): Promise<number | null> {
    const em = options.orm.em.fork() as SqlEntityManager;
    if (await em.findOne(CorrectionApplied, { achievementId: event.achievementId, revision: event.revision })) return null;
    const correctedAt = new Date(event.correctedAt);
    const at = now();
    const reason = `The awarding member corrected the achievement (revision ${event.revision}, ${event.correctedAt.slice(0, 10)}): suspended pending re-issue; asking for the credential again issues one for the corrected facts and revokes this one.`;
    const serials = await em.transactional(async (inner) => {
      const tx = inner as SqlEntityManager;
      const credentials = await tx.find(IssuedCredential, { achievementId: event.achievementId, issuedAt: { $lt: correctedAt }, revokedAt: null, suspendedAt: null });
      for (const credential of credentials) {
        Object.assign(credential, { suspendedAt: at, suspendedBy: 'service:issuance', suspensionReason: reason });
        tx.create(StatusEvent, { credentialSerial: credential.serial, action: 'SUSPEND', actor: 'service:issuance', reason, at } as never);
      }
      tx.create(CorrectionApplied, { achievementId: event.achievementId, revision: event.revision, correctedAt, appliedAt: at, suspended: credentials.length } as never);
      await tx.flush();
      return credentials.map((credential) => credential.serial);
    });
    for (const serial of serials) options.statuses.invalidate(serial);
    return serials.length;
  }

  async function checkOnce(): Promise<CorrectionCheck> {
    const em = options.orm.em.fork() as SqlEntityManager;
    const [latest] = await em.find(CorrectionApplied, {}, { orderBy: { correctedAt: 'desc' }, limit: 1 });
    const since = latest ? new Date(latest.correctedAt.getTime() - OVERLAP_MS) : new Date(0);
    const { events, unavailable } = await read(since);
    let applied = 0;
    let suspended = 0;
    for (const event of events) {
      const count = await apply(event);
      if (count === null) continue;
      applied += 1;
      suspended += count;
    }
    if (suspended > 0) options.logger.info(`suspended ${suspended} credential(s) of ${applied} corrected achievement(s) pending re-issue`);
    return { read: events.length, applied, suspended, unavailable };
  }

  const check = (): Promise<CorrectionCheck> => {
    // One check at a time: the timer and a test's call share it.
    running ??= checkOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          check().catch((error: unknown) => options.logger.warn(`corrections not read: ${(error as Error).message}`));
        }, options.intervalMs)
      : null;
  timer?.unref();
  return {
    check,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
