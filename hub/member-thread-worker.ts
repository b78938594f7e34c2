import type { JWK } from 'jose';
import { localHubVerifier } from '../lib/hub-token.js';
import { createLogger, type LoggerOptions } from '../lib/log.js';
import type { DatabaseTarget } from '../lib/orm.js';
import type { RunningServer } from '../lib/server.js';
import { createSqliteReadPool } from '../lib/sqlite-reads.js';
import { startTracing } from '../lib/tracing.js';
import type { WorkerSetup } from '../lib/worker-pool.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { buildMemberSchema } from '../subgraphs/member/schema.js';
import { startMemberServer } from '../subgraphs/member/server.js';

/*
 * The member subgraphs' own thread (hub/member-thread.ts starts it): each
 * member server exactly as the in-process hub starts it, over the database
 * the main thread migrated and seeded.
 */

export interface MemberThreadSpec {
  memberId: string;
  target: DatabaseTarget;
  port: number;
}

export interface MemberThreadInit {
  members: MemberThreadSpec[];
  host: string;
  /** The hub's public keys: every member verifies the router's tokens with them. */
  hubJwks: { keys: JWK[] };
  /** The hub's logger settings (its writer is this thread's stderr, the same stream). */
  log: Omit<LoggerOptions, 'write'>;
}

export type MemberThreadRequest = { op: 'urls' } | { op: 'stop' | 'restart'; memberId: string } | { op: 'close' };
export type MemberThreadAnswer = { id: string; url: string; port: number }[];

export const setup: WorkerSetup<MemberThreadInit, MemberThreadRequest, MemberThreadAnswer> = async (init) => {
  const logger = createLogger(init.log);
  // A thread has its own OTel globals: the members' spans need a provider here too (the same settings as the main thread's).
  const tracing = startTracing(process.env, logger);
  const hubAuth = localHubVerifier(init.hubJwks);
  const onFile = (target: DatabaseTarget) => target.kind === 'sqlite' && target.location !== ':memory:';
  // Their aggregates on SQLite still run off this thread's event loop (lib/sqlite-reads.ts).
  const readPool = init.members.some((spec) => onFile(spec.target)) ? createSqliteReadPool(1) : undefined;
  const schema = await buildMemberSchema();
  const running = new Map<string, { server: RunningServer; spec: MemberThreadSpec; close: () => Promise<void>; start: (port: number) => Promise<RunningServer> }>();
  await Promise.all(
    init.members.map(async (spec) => {
      // Migrated by the main thread before this one started.
      const orm = await openMemberDatabase(spec.target, { migrate: false, logger });
      const start = (port: number) =>
        startMemberServer({
          memberId: spec.memberId,
          orm,
          databaseKind: spec.target.kind,
          logger: logger.child(spec.memberId),
          port,
          host: init.host,
          hubAuth,
          schema,
          ...(readPool && onFile(spec.target) ? { reads: readPool.forFile(spec.target.location) } : {}),
        });
      running.set(spec.memberId, { server: await start(spec.port), spec, close: () => orm.close(true), start });
    }),
  );
  const urls = (): MemberThreadAnswer => [...running].map(([id, { server }]) => ({ id, url: server.url, port: server.port }));
  return async (request) => {
    if (request.op === 'urls') return urls();
    if (request.op === 'close') {
      for (const member of running.values()) {
        await member.server.stop();
        await member.close();
      }
      await readPool?.close();
      await tracing.stop();
      return [];
    }
    const member = running.get(request.memberId);
    if (!member) throw new Error(`no member "${request.memberId}" runs in this thread`);
    await member.server.stop();
    if (request.op === 'restart') member.server = await member.start(member.server.port);
    return urls();
  };
};
