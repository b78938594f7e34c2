import type { MikroORM } from '@mikro-orm/core';
import { createWorkerPool } from '../lib/worker-pool.js';
import type { MemberProfile } from './alliance.js';
import type { DemoOptions } from './demo.js';
import { handOverFile, sqliteFile } from './seed-sqlite.js';

/*
 * The demo seed on two cores. Generating the learners is cheap (about 6 s
 * for 300,000); writing them is not (about 55 CPU-seconds), and each
 * member's database is written on its own. So a worker thread generates the
 * same learners again and writes about half of the members' databases while
 * the main thread writes the rest and the learner register: 41 s instead of
 * 60 s for 300,000 learners when both cores are free (slower when other work
 * holds one: the generation then runs twice on the one core left). Only for
 * SQLite files (a worker cannot reach another thread's in-memory database)
 * and only when there is enough to write to pay for starting a thread.
 */

/**
 * Below this many learners one thread is quicker: starting the worker (its TypeScript loader, MikroORM) costs
 * 1.5-2 s (measured: 5,000 learners 1.2 s on one thread, 2.9 s with the worker; 20,000 learners 4.6 s and 3.3 s).
 */
const PARALLEL_FROM = 20_000;

/** A member the worker seeds: its SQLite file, and the main thread's ORM on it (which stays idle meanwhile). */
/** What the seed worker (seed-worker.ts) is started with: its members' files and the demo's size. Declared here so that the worker depends on this module, not the other way round. */
export interface SeedWorkerInit {
  members: { memberId: string; path: string }[];
  options: DemoOptions;
}

export interface OffloadedMember {
  memberId: string;
  path: string;
  orm: MikroORM;
}

type Targets = ReadonlyMap<string, { orm: MikroORM; profile: MemberProfile }>;

/** Which members the main thread seeds and which the worker seeds (none when one thread is the better choice). */
export function splitForWorker(members: Targets, options: DemoOptions): { here: Targets; elsewhere: OffloadedMember[] } {
  const files = [...members].map(([memberId, { orm }]) => ({ memberId, path: sqliteFile(orm), orm }));
  if (options.learners < PARALLEL_FROM || files.length < 2 || files.some((file) => file.path === undefined)) return { here: members, elsewhere: [] };
  // Every second member, starting with the first: the worker gets the larger half, the main thread also writes the register.
  const elsewhere = files.filter((_, index) => index % 2 === 0) as OffloadedMember[];
  const away = new Set(elsewhere.map((member) => member.memberId));
  return { here: new Map([...members].filter(([memberId]) => !away.has(memberId))), elsewhere };
}

export interface SeedWorker {
  /** Settles when the worker has committed (or rolled back) every database it was given. */
  done: Promise<unknown>;
  /** Stops the worker and gives the files back to the main thread's connections. */
  close(): Promise<void>;
}

/** Starts a worker thread seeding `members` (files already migrated by the main thread). */
export async function startSeedWorker(members: OffloadedMember[], options: DemoOptions): Promise<SeedWorker> {
  const restores: (() => Promise<void>)[] = [];
  const giveBack = async () => {
    for (const restore of restores) {
      // Left in the rollback journal if this fails: slower for readers, still correct.
      await restore().catch(() => undefined);
    }
  };
  try {
    for (const member of members) restores.push(await handOverFile(member.orm));
  } catch (error) {
    await giveBack();
    throw error;
  }
  const init: SeedWorkerInit = { members: members.map(({ memberId, path }) => ({ memberId, path })), options };
  // Stateful: one task, on files handed over to it; a fresh worker after a crash would only idle until close.
  const pool = createWorkerPool<SeedWorkerInit, 'seed', null>(1, new URL('./seed-worker.ts', import.meta.url), init, { stateful: true });
  const done = pool.run('seed');
  done.catch(() => undefined);
  return {
    done,
    async close() {
      await pool.close();
      await giveBack();
    },
  };
}
