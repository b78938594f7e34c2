import { createLogger } from '../lib/log.js';
import { createWorkerPool } from '../lib/worker-pool.js';
import type { MemberThreadAnswer, MemberThreadInit, MemberThreadRequest } from './member-thread-worker.js';

/*
 * The embedded hub on two cores: the 13 member subgraphs answer on a thread
 * of their own, the gateway, router and central subgraphs on the main one.
 * Every request of the pathway query crosses both (the router calls the
 * members), so each thread's event loop carries about half of its work
 * instead of one loop carrying all of it while the second core idles.
 * One process still: one npm start, one log (both threads write to stderr),
 * one signal stops everything.
 *
 * The thread holds state a fresh one would lack (13 servers listening, which
 * of them an operator stopped), so it is never replaced: should it die, the
 * main thread logs why, the members' parts of answers fail as for any member
 * down (the gateway and the central subgraphs keep answering), and every
 * later stop or restart rejects with the same reason. Restarting the hub
 * brings the members back.
 */

export interface MemberThread {
  /** Where each member answers. */
  members: MemberThreadAnswer;
  stop(memberId: string): Promise<void>;
  restart(memberId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startMemberThread(init: MemberThreadInit): Promise<MemberThread> {
  const logger = createLogger(init.log).child('member-thread');
  const pool = createWorkerPool<MemberThreadInit, MemberThreadRequest, MemberThreadAnswer>(1, new URL('./member-thread-worker.ts', import.meta.url), init, {
    stateful: true,
    onExit: (error) => logger.error('the member thread stopped: its members no longer answer until the hub is restarted', { error }),
  });
  try {
    // Answered once every member listens (the thread's setup runs first).
    const members = await pool.run({ op: 'urls' });
    return {
      members,
      stop: async (memberId) => void (await pool.run({ op: 'stop', memberId })),
      restart: async (memberId) => void (await pool.run({ op: 'restart', memberId })),
      async close() {
        await pool.run({ op: 'close' }).catch(() => undefined);
        await pool.close();
      },
    };
  } catch (error) {
    await pool.close();
    throw error;
  }
}
