import { threadId } from 'node:worker_threads';
import { serveWorker } from '../../lib/worker-pool.js';

/*
 * A worker for the worker-pool tests: answers with its greeting and thread,
 * refuses on request, or exits (as a crashing native module or a stray
 * process.exit would) without answering.
 */

export type ProbeRequest = { kind: 'echo'; value: string } | { kind: 'refuse'; value: string } | { kind: 'exit'; code: number };

serveWorker<{ greeting: string }, ProbeRequest, { text: string; thread: number }>(async (init) => async (request) => {
  if (request.kind === 'exit') process.exit(request.code);
  if (request.kind === 'refuse') throw new Error(`refused ${request.value}`);
  return { text: `${init.greeting} ${request.value}`, thread: threadId };
});
