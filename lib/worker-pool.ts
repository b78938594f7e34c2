import { parentPort, Worker, workerData } from 'node:worker_threads';

/*
 * A small pool of worker threads running one TypeScript module, for CPU work
 * that would otherwise hold up the event loop (sealing and verifying
 * credentials). Each worker is set up once with `init`, then answers
 * requests; a request goes to the worker with the fewest waiting.
 *
 * Workers do not inherit the tsx loader of the main thread, so each one
 * starts from ts-worker.mjs, which registers tsx and then imports the module.
 */

type ToWorker<Init, Request> = { type: 'init'; init: Init } | { type: 'run'; id: number; request: Request };
type FromWorker<Answer> = { id: number; answer: Answer } | { id: number; error: string };

export interface WorkerPool<Request, Answer> {
  readonly size: number;
  /** Runs one request on the least busy worker (or on worker `index`). */
  run(request: Request, index?: number): Promise<Answer>;
  /** Stops every worker; requests still waiting are rejected. */
  close(): Promise<void>;
}

/**
 * Starts `size` workers running `module` (a URL of a .ts file that calls
 * `serveWorker`), each set up with `init`. Workers are unref'd: the pool never
 * keeps the process alive on its own.
 */
export function createWorkerPool<Init, Request, Answer>(size: number, module: URL, init: Init): WorkerPool<Request, Answer> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`A worker pool needs at least one worker (got ${size}).`);
  const pending = new Map<number, { worker: number; resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  const load = new Array<number>(size).fill(0);
  let nextId = 0;
  let closed = false;

  const fail = (worker: number | null, error: Error) => {
    for (const [id, waiting] of pending) {
      if (worker !== null && waiting.worker !== worker) continue;
      pending.delete(id);
      waiting.reject(error);
    }
  };
  const workers = Array.from({ length: size }, (_, index) => {
    const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { module: module.href } });
    worker.postMessage({ type: 'init', init } satisfies ToWorker<Init, Request>);
    worker.unref();
    worker.on('message', (message: FromWorker<Answer>) => {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      load[waiting.worker] = (load[waiting.worker] ?? 1) - 1;
      if ('error' in message) waiting.reject(new Error(message.error));
      else waiting.resolve(message.answer);
    });
    // A worker that dies takes its own requests with it (nothing is retried behind the
    // caller's back) and gets no more; the others carry on.
    worker.on('error', (error) => {
      load[index] = Number.POSITIVE_INFINITY;
      fail(index, error);
    });
    return worker;
  });

  return {
    size,
    run(request, index) {
      if (closed) return Promise.reject(new Error('The worker pool is closed.'));
      const chosen = index ?? load.indexOf(Math.min(...load));
      const worker = workers[chosen];
      if (!worker || load[chosen] === Number.POSITIVE_INFINITY) return Promise.reject(new Error(`Worker ${chosen} of ${size} is not running.`));
      return new Promise<Answer>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { worker: chosen, resolve, reject });
        load[chosen] = (load[chosen] ?? 0) + 1;
        worker.postMessage({ type: 'run', id, request } satisfies ToWorker<Init, Request>);
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
