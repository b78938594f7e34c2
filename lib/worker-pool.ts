import { parentPort, Worker, workerData } from 'node:worker_threads';

/*
 * A small pool of worker threads running one TypeScript module, for CPU work
 * that would otherwise hold up the event loop (sealing and verifying
 * credentials). Each worker is set up once with `init`, then answers
 * requests; a request goes to the running worker with the fewest waiting.
 *
 * Workers do not inherit the tsx loader of the main thread, so each one
 * starts from ts-worker.mjs, which registers tsx and then imports the module.
 */

type ToWorker<Init, Request> = { type: 'init'; init: Init } | { type: 'run'; id: number; request: Request };
type FromWorker<Answer> = { id: number; answer: Answer } | { id: number; error: string };

export interface WorkerPool<Request, Answer> {
  readonly size: number;
  /** Workers still running (a worker that crashed or exited is not replaced). */
  readonly alive: number;
  /** Runs one request on the running worker with the fewest requests waiting. */
  run(request: Request): Promise<Answer>;
  /** Stops every worker; requests still waiting are rejected. */
  close(): Promise<void>;
}

/**
 * Starts `size` workers running `module` (a URL of a .ts file that calls
 * `serveWorker`), each set up with `init`. Workers are unref'd: the pool never
 * keeps the process alive on its own. A worker that dies takes its own
 * waiting requests with it (rejected, never retried behind the caller's back)
 * and gets no more; callers decide whether to do the work themselves.
 */
export function createWorkerPool<Init, Request, Answer>(size: number, module: URL, init: Init): WorkerPool<Request, Answer> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`A worker pool needs at least one worker (got ${size}).`);
  const pending = new Map<number, { worker: number; resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  const load = new Array<number>(size).fill(0);
  const running = new Array<boolean>(size).fill(true);
  let nextId = 0;
  let closed = false;

  const settle = (id: number): { resolve: (answer: Answer) => void; reject: (error: Error) => void } | undefined => {
    const waiting = pending.get(id);
    if (!waiting) return undefined;
    pending.delete(id);
    load[waiting.worker] = Math.max(0, (load[waiting.worker] ?? 1) - 1);
    return waiting;
  };
  const fail = (worker: number | null, error: Error) => {
    for (const [id, waiting] of pending) if (worker === null || waiting.worker === worker) settle(id)?.reject(error);
  };
  const stopped = (index: number, error: Error) => {
    if (!running[index]) return;
    running[index] = false;
    fail(index, error);
  };

  const workers = Array.from({ length: size }, (_, index) => {
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: module.href } });
    worker.postMessage({ type: 'init', init } satisfies ToWorker<Init, Request>);
    worker.unref();
    worker.on('message', (message: FromWorker<Answer>) => {
      const waiting = settle(message.id);
      if (!waiting) return;
      if ('error' in message) waiting.reject(new Error(message.error));
      else waiting.resolve(message.answer);
    });
    worker.on('error', (error) => stopped(index, error));
    // Exiting without an error (process.exit in the worker) must not leave its requests waiting forever.
    worker.on('exit', (code) => stopped(index, new Error(closed ? 'The worker pool was closed.' : `A worker thread exited (code ${code}).`)));
    return worker;
  });

  return {
    size,
    get alive() {
      return running.filter(Boolean).length;
    },
    run(request) {
      if (closed) return Promise.reject(new Error('The worker pool is closed.'));
      let chosen = -1;
      for (let index = 0; index < size; index += 1) {
        if (running[index] && (chosen < 0 || (load[index] ?? 0) < (load[chosen] ?? 0))) chosen = index;
      }
      const worker = workers[chosen];
      if (!worker) return Promise.reject(new Error('No worker thread of the pool is running.'));
      return new Promise<Answer>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { worker: chosen, resolve, reject });
        load[chosen] = (load[chosen] ?? 0) + 1;
        try {
          worker.postMessage({ type: 'run', id, request } satisfies ToWorker<Init, Request>);
        } catch (error) {
          // A request that cannot be copied to the worker (a function in it, say) never reached it.
          settle(id)?.reject(error as Error);
        }
      });
    },
    async close() {
      closed = true;
      fail(null, new Error('The worker pool was closed.'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/**
 * The worker's side: `setup` runs once with the pool's `init` and returns the
 * handler for requests. Requests that arrive while it runs wait for it; a
 * failing setup fails every request with its message.
 */
export function serveWorker<Init, Request, Answer>(setup: (init: Init) => Promise<(request: Request) => Promise<Answer>>): void {
  const port = parentPort;
  if (!port || !workerData) throw new Error('serveWorker runs only inside a worker thread started by createWorkerPool.');
  let handler: Promise<(request: Request) => Promise<Answer>> | undefined;
  port.on('message', (message: ToWorker<Init, Request>) => {
    if (message.type === 'init') {
      handler = setup(message.init);
      // Reported with the first request; an unhandled rejection here would kill the worker silently.
      handler.catch(() => undefined);
      return;
    }
    void (async () => {
      try {
        if (!handler) throw new Error('the worker was not set up');
        const answer = await (await handler)(message.request);
        port.postMessage({ id: message.id, answer } satisfies FromWorker<Answer>);
      } catch (error) {
        port.postMessage({ id: message.id, error: (error as Error).message } satisfies FromWorker<Answer>);
      }
    })();
  });
}
