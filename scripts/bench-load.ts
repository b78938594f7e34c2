import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../lib/config.js';

/*
 * What the side-by-side benchmarks share: a hub (or gateway) started as its
 * own process from a checkout, so the load generator never shares its event
 * loop; closed-loop load with one token per caller; the process tree's
 * resident memory.
 */

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** The first message of each kind of error. */
  errorKinds: Map<string, string>;
}

export interface LoadOptions {
  url: string;
  query: string;
  /** Variables of the i-th request, by the caller's index. */
  variables: (caller: number) => Record<string, unknown>;
  /** The bearer token of each caller (one per caller; the array's length need not match concurrency). */
  tokens: readonly string[];
  concurrency: number;
  requests: number;
  /** Requests first sent and not counted (JIT, caches, connections). */
  warmup?: number;
}

/** The p-th percentile of sorted figures (nearest rank): what every benchmark script prints. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function send(options: LoadOptions, caller: number, errorKinds: Map<string, string>): Promise<boolean> {
  const token = options.tokens[caller % Math.max(1, options.tokens.length)];
  const response = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: options.query, variables: options.variables(caller) }),
  });
  const text = await response.text();
  let body: { errors?: { message?: string; extensions?: { code?: string } }[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 120)}`, extensions: { code: `HTTP_${response.status}` } }] };
  }
  if (!body.errors?.length && response.ok) return true;
  const code = String(body.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`);
  if (!errorKinds.has(code)) errorKinds.set(code, String(body.errors?.[0]?.message ?? '').slice(0, 160));
  return false;
}

/** Closed-loop load: `concurrency` callers, each sending its next request when its last one is answered. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const errorKinds = new Map<string, string>();
  let warm = 0;
  const warmup = options.warmup ?? Math.min(50, options.requests);
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, caller) => {
      while (warm < warmup) {
        warm += 1;
        await send(options, caller, new Map());
      }
    }),
  );
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, caller) => {
      while (next < options.requests) {
        next += 1;
        const t0 = performance.now();
        if (!(await send(options, caller, errorKinds))) errors += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: options.requests, perSecond: options.requests / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors, errorKinds };
}

export function describeLoad(result: LoadResult): string {
  const errors = result.errors ? `, errors ${result.errors} (${[...result.errorKinds].map(([code, message]) => `${code}: ${message}`).join('; ')})` : '';
  return `${result.perSecond.toFixed(1)} req/s, p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms${errors}`;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resident memory of the process and its descendants, MiB (Linux /proc). */
  rssMiB(): number;
  stop(): Promise<void>;
}

function descendants(pid: number): number[] {
  const found = [pid];
  for (let i = 0; i < found.length; i += 1) {
    try {
      const children = readFileSync(`/proc/${found[i]}/task/${found[i]}/children`, 'utf8').trim();
      if (children) found.push(...children.split(/\s+/).map(Number));
    } catch {
      // Gone, or not Linux: counted as nothing.
    }
  }
  return found;
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts `args` with node in `cwd` and waits until its output matches `ready`
 * (or fails with the output's tail when it exits first or takes over `timeoutMs`).
 */
export async function startProcess(cwd: string, args: readonly string[], env: Record<string, string>, ready: RegExp, timeoutMs = 600_000, prefix: readonly string[] = []): Promise<StartedProcess> {
  // `prefix`: a command that runs node, e.g. taskset -c 0 to hold the process to one core.
  const [command, ...prefixArgs] = [...prefix, process.execPath];
  const child = spawn(command as string, [...prefixArgs, ...args], { cwd, env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ConfigError(`${args.join(' ')} in ${cwd} was not ready after ${timeoutMs / 1000} s:\n${output.slice(-2_000)}`)), timeoutMs);
    const check = setInterval(() => {
      if (ready.test(output)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    void exited.then(() => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new ConfigError(`${args.join(' ')} in ${cwd} ended before it was ready:\n${output.slice(-2_000)}`));
    });
  });
  return {
    child,
    output: () => output,
    rssMiB: () => Math.round(descendants(child.pid as number).reduce((sum, pid) => sum + rssOf(pid), 0)),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
