// Entry of a sealing worker thread: workers do not inherit the tsx loader of
// the main thread, so this plain module registers it before loading the
// TypeScript worker (seal-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./seal-worker.ts');
