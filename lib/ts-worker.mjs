// The module piscina loads in every worker thread of lib/worker-pool.ts. Workers
// do not inherit the tsx loader of the main thread, so this plain module
// registers it, then imports the TypeScript module the pool runs
// (workerData.module) and starts its `setup` once for this thread, right away,
// so that keys, schemas or servers are ready before the first request.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const handler = import(workerData.module).then((module) => {
  if (typeof module.setup !== 'function') throw new Error(`${workerData.module} exports no setup function for lib/worker-pool.ts.`);
  return module.setup(workerData.init);
});
// Reported with each request; unhandled here it would kill the thread with no request to tell.
handler.catch(() => undefined);

/** Piscina's entry point (its `name` option): one request. */
export async function run(request) {
  try {
    return await (await handler)(request);
  } catch (error) {
    throw crossable(error);
  }
}

/**
 * Piscina posts a failure as it is thrown, and a structured clone keeps the
 * message of a plain Error only: Node's own errors (ERR_MODULE_NOT_FOUND and
 * the like) arrive as `{ code }`, without it. So each crosses as a plain one.
 */
function crossable(error) {
  if (!(error instanceof Error)) return new Error(typeof error?.message === 'string' ? error.message : String(error));
  const plain = new Error(error.message);
  plain.stack = error.stack;
  return plain;
}
