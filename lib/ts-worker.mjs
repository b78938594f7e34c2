// Entry of every worker thread of lib/worker-pool.ts: workers do not inherit
// the tsx loader of the main thread, so this plain module registers it and
// then loads the TypeScript module the pool runs (workerData.module).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
