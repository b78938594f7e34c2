import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';

/*
 * A small pool of worker threads running one TypeScript module, for CPU work
 * that would otherwise hold up the event loop (sealing and verifying
 * credentials, heavy SQLite reads, the seed) and for the thread the members
 * answer on. Piscina runs the threads, queues the requests and sends each to
 * the least busy thread; this module adds what the hub needs on top: a setup
 * run once per thread, the tsx loader in every thread, a close that rejects
 * what is waiting, and a choice for threads whose state a fresh one would lack.
 */

/**
 * What a worker module exports as `setup`: run once per thread with the
 * pool's `init` (as soon as the thread starts), it returns the handler for
 * requests. Requests that arrive while it runs wait for it; a failing setup
 * fails every request with its message.
 */
export type WorkerSetup<Init, Request, Answer> = (init: Init) => Promise<(request: Request) => Promise<Answer>>;

/** What ts-worker.mjs is started with (piscina's workerData). */
export interface WorkerThreadData<Init> {
  module: string;
  init: Init;
}

export interface WorkerPoolOptions {
  /**
   * The workers hold state a fresh one would not have (servers listening, a
   * task half done): a worker that dies is not replaced; the pool closes and
   * every request, waiting or later, rejects with the reason. Otherwise (the
   * default) piscina starts a fresh worker, set up again with `init`.
   */
  stateful?: boolean;
  /** Told of each worker that dies without being asked (a crash, process.exit), with its error or exit code; its requests reject too. */
  onExit?: (error: Error) => void;
  /**
   * Requests one worker runs at once (default 16): handlers that wait (WebCrypto
   * computes on libuv's threads) carry on with the next request meanwhile;
   * beyond that, requests queue in this thread for whichever worker frees first.
   */
  concurrency?: number;
}

export interface WorkerPool<Request, Answer> {
  readonly size: number;
  /** Workers running (fewer only while a replacement starts, or none once a stateful pool lost its worker). */
  readonly alive: number;
  /** Runs one request on the least busy worker. */
  run(request: Request): Promise<Answer>;
  /** Stops every worker; requests still waiting are rejected. */
  close(): Promise<void>;
}

/**
 * Starts `size` workers running `module` (a URL of a .ts file that exports a
 * `setup`, see WorkerSetup), each set up with `init`. Idle workers never keep
 * the process alive on their own (piscina unrefs them; a request in flight
 * does keep it, as any awaited I/O would). A worker that dies takes its own
 * requests with it: they reject, never retried behind the caller's back.
 */
export function createWorkerPool<Init, Request, Answer>(size: number, module: URL, init: Init, options: WorkerPoolOptions = {}): WorkerPool<Request, Answer> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`A worker pool needs at least one worker (got ${size}).`);
  const piscina = new Piscina<Request, Answer>({
    // Workers do not inherit the tsx loader of the main thread: ts-worker.mjs registers it, then loads `module`.
    filename: new URL('./ts-worker.mjs', import.meta.url).href,
    name: 'run',
    workerData: { module: module.href, init } satisfies WorkerThreadData<Init>,
    minThreads: size,
    maxThreads: size,
    // Never retired for being idle: a retired worker would take its setup (keys, schemas, servers) with it.
    idleTimeout: Infinity,
    concurrentTasksPerWorker: options.concurrency ?? 16,
    // Atomics.wait would block a worker's event loop between requests: its setup, and the member thread's servers, must run then.
    atomics: 'disabled',
    recordTiming: false,
  });
  const waiting = new Set<(error: Error) => void>();
  let closed: Error | undefined;

  const rejectAll = (error: Error) => {
    for (const reject of waiting) reject(error);
    waiting.clear();
  };
  // Piscina replaces a dead worker right after telling of its end: a stateful pool closes here, before that.
  piscina.on('workerDestroy', () => {
    if (!options.stateful || closed) return;
    closed = new Error('The worker thread of the pool stopped.');
    void piscina.destroy();
  });
  // A worker that fails while idle is emitted as an 'error' (which would crash this process unheard); it is told by the watch below.
  piscina.on('error', () => undefined);
  const watched = new WeakSet<Worker>();
  let closing = false;
  const watch = () => {
    for (const thread of piscina.threads) {
      if (watched.has(thread)) continue;
      watched.add(thread);
      let failure: Error | undefined;
      thread.on('error', (error) => (failure ??= error));
      thread.once('exit', (code) => {
        if (closing) return;
        const error = failure ?? new Error(`A worker thread exited (code ${code}).`);
        if (options.stateful) {
          closed = error;
          rejectAll(error);
        }
        options.onExit?.(error);
      });
    }
  };
  watch();
  piscina.on('workerCreate', watch);

  return {
    size,
    get alive() {
      return closed ? 0 : piscina.threads.length;
    },
    run(request) {
      if (closing) return Promise.reject(new Error('The worker pool is closed.'));
      if (closed) return Promise.reject(closed);
      return new Promise<Answer>((resolve, reject) => {
        waiting.add(reject);
        piscina.run(request).then(resolve, reject).finally(() => waiting.delete(reject));
      });
    },
    async close() {
      closing = true;
      closed ??= new Error('The worker pool was closed.');
      // Piscina's own close waits for running requests; ours does not, as before: they reject now.
      rejectAll(new Error('The worker pool was closed.'));
      await piscina.destroy();
    },
  };
}
