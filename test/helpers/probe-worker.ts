import { threadId } from 'node:worker_threads';
import type { WorkerSetup } from '../../lib/worker-pool.js';

/*
 * A worker for the worker-pool tests: answers with its greeting and thread,
 * refuses on request, exits (as a crashing native module or a stray
 * process.exit would) without answering, or fails later, between requests
 * (an error thrown from a timer, nothing waiting to be told).
 */

export type ProbeRequest = { kind: 'echo'; value: string } | { kind: 'refuse'; value: string } | { kind: 'exit'; code: number } | { kind: 'crash'; value: string };

export const setup: WorkerSetup<{ greeting: string }, ProbeRequest, { text: string; thread: number }> = async (init) => async (request) => {
  if (request.kind === 'exit') process.exit(request.code);
  if (request.kind === 'crash') {
    setTimeout(() => {
      throw new Error(`crashed ${request.value}`);
    }, 20);
    return { text: 'crashing soon', thread: threadId };
  }
  if (request.kind === 'refuse') throw new Error(`refused ${request.value}`);
  return { text: `${init.greeting} ${request.value}`, thread: threadId };
};
