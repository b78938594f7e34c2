import type { WorkerSetup } from '../lib/worker-pool.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { memberProfile, type MemberProfile } from './alliance.js';
import type { SeedWorkerInit } from './seed-parallel.js';
import { fillDemo, openMemberFileWriter, type SeedWriter } from './seed.js';

/*
 * The seed's worker thread (hub/seed-parallel.ts starts it): writes the
 * demo data of the members it is given, each through a connection of its
 * own to the member's SQLite file, with the same code as the main thread.
 */

export const setup: WorkerSetup<SeedWorkerInit, 'seed', null> = async (init) => {
  // An in-memory ORM only for the mapping (table and column names); the files are opened directly.
  const mapping = await openMemberDatabase({ kind: 'sqlite', location: ':memory:' }, { migrate: false });
  return async () => {
    const members = new Map<string, { writer: SeedWriter; profile: MemberProfile }>();
    try {
      for (const { memberId, path } of init.members) {
        const profile = memberProfile(memberId);
        if (!profile) throw new Error(`There is no demo profile for member "${memberId}".`);
        members.set(memberId, { writer: openMemberFileWriter(path, mapping.getMetadata()), profile });
      }
    } catch (error) {
      for (const { writer } of members.values()) await writer.abort().catch(() => undefined);
      throw error;
    }
    await fillDemo({ members }, init.options);
    return null;
  };
};
