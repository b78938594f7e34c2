import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALLIANCE_MEMBERS } from '../hub/alliance.js';
import { ensureDevIdp } from '../hub/dev-idp.js';
import { PATHWAY_QUERY } from '../hub/sample.js';
import { showcaseLearners } from '../hub/seed.js';
import { startHub, type RunningHub } from '../hub/stack.js';
import { ConfigError, runMain } from '../lib/config.js';
import { quietLogger } from '../lib/log.js';
import { REPO_ROOT } from '../lib/paths.js';
import { startProcess } from './bench-load.js';

const HELP = `Usage: npm run fault:check -- [--deadline <ms>] [--runs <n>] [--in-flight <n>] [--learners <n>] [--no-process]

The fault scenarios of issue 17 against a freshly started hub (temporary data,
free ports), printing what each costs. test/operations/faults.test.ts asserts
the same scenarios in short form; docs/operations.md ("Faults") records a run.

  1. A member that accepts connections and never answers (a raw TCP server at
     its address): { institutions }, the catalogue search and the README
     pathway query, --runs times each; elapsed against the member's deadline
     (--deadline, default 500 ms), and the pathway query against its time with
     every member answering.
  2. A central subgraph down (recognition stopped): a query that does not need
     it, and one that needs part of it (Learner.pathways).
  3. Stopping while requests are in flight: --in-flight requests (default 5)
     held at a member while the hub stops; their answers, whether new
     connections were refused meanwhile, how long the stop took. Then, unless
     --no-process, the same with a real process: hub/start.ts as npm start runs
     it, SIGTERM 250 ms and (a second process) 20 ms after sending --in-flight x 4
     pathway queries at once; answers, refused connections after, exit code.

Scenarios 1-3 run in this process (members in-process, the catalogue cache
off so the member is really asked). Prints figures; asserts nothing; takes
about a minute.
`;

const INSTITUTIONS = /* GraphQL */ `{ institutions { id name } }`;
const SEARCH = /* GraphQL */ `{ offerings(filter: { text: "sustainab" }, first: 20) { totalCount nodes { id institution { id } } } }`;
const ONE_MEMBER = /* GraphQL */ `query One($id: ID!) { institution(id: $id) { id name } }`;
const PROGRESS = /* GraphQL */ `query Progress($id: ID!) { learner(id: $id) { id achievements { id } pathways { pathway { id } } } }`;

interface Body {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as Body;
  return { status: response.status, body, ms: performance.now() - started };
}

/** Whether a new TCP connection to `url`'s port is refused. */
function refused(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const range = (values: number[]) => `median ${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)})`;
const errorSummary = (body: Body) =>
  (body.errors ?? []).length === 0 ? 'no errors' : `${body.errors?.length} error(s): ${[...new Set(body.errors?.map((error) => `${String(error.extensions?.['code'])} "${error.message}"`))].join('; ')}`;

/** Holds members' answers while `held` is set (scenario 3): the requests are then provably in flight. */
const gate = { held: undefined as Promise<void> | undefined, waiting: 0 };
const holdingPlugin = (): ApolloServerPlugin<BaseContext>[] => [
  {
    async requestDidStart() {
      return {
        async willSendResponse() {
          if (!gate.held) return;
          gate.waiting += 1;
          await gate.held;
        },
      };
    },
  },
];

async function silentMember(hub: RunningHub, memberId: string): Promise<{ close(): Promise<void> }> {
  const member = hub.members.get(memberId);
  if (!member) throw new ConfigError(`no member ${memberId} in this hub`);
  await member.stop();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(new URL(member.url).port), '127.0.0.1', () => resolve());
  });
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await member.restart();
    },
  };
}

async function scenarios(options: { deadline: number; runs: number; inFlight: number; learners: number }, say: (line: string) => void): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fault-check-'));
  const learner = showcaseLearners({ learners: options.learners }, 1)[0];
  if (!learner) throw new ConfigError(`--learners ${options.learners} holds no learner with achievements at three members; try more`);
  say(`starting a hub (13 members in-process, ${options.learners} learners, member deadline ${options.deadline} ms, catalogue cache off)`);
  const hub = await startHub({ logger: quietLogger('fault-check'), dataDir, learners: options.learners, memberTimeoutMs: options.deadline, catalogueCacheMs: 0, memberPlugins: holdingPlugin });
  let stopped = false;
  try {
    const url = hub.gatewayUrl;
    const headers = { authorization: `Bearer ${await hub.idp.issue({ role: 'learner', learnerId: learner.id })}` };
    const queries = [
      { name: '{ institutions { id name } }', query: INSTITUTIONS, headers: {} },
      { name: 'catalogue search', query: SEARCH, headers: {} },
      { name: 'README pathway query', query: PATHWAY_QUERY, headers },
    ];
    const healthy = new Map<string, number[]>();
    for (const { name, query, headers: sent } of queries) {
      await post(url, query, { id: learner.id }, sent); // the plan is built once
      const times: number[] = [];
      for (let i = 0; i < options.runs; i += 1) times.push((await post(url, query, { id: learner.id }, sent)).ms);
      healthy.set(name, times);
    }

    const silentId = learner.members[0] as string;
    say('');
    say(`1. member ${silentId} accepts connections and never answers (deadline ${options.deadline} ms, spec: deadline + 100 ms = ${options.deadline + 100} ms)`);
    const silent = await silentMember(hub, silentId);
    for (const { name, query, headers: sent } of queries) {
      const times: number[] = [];
      let last: Body = {};
      for (let i = 0; i < options.runs; i += 1) {
        const answer = await post(url, query, { id: learner.id }, sent);
        times.push(answer.ms);
        last = answer.body;
      }
      const base = median(healthy.get(name) ?? [0]);
      say(`   ${name}: ${range(times)}, over the deadline ${(median(times) - options.deadline).toFixed(0)} ms; all members answering ${base.toFixed(0)} ms, so the silent member adds ${(median(times) - base).toFixed(0)} ms`);
      say(`      ${errorSummary(last)}`);
    }
    await silent.close();

    say('');
    say('2. central subgraph "recognition" stopped');
    await hub.central.recognition.stop();
    const full = await post(url, INSTITUTIONS);
    say(`   { institutions } (does not need it): HTTP ${full.status}, ${full.body.data?.['institutions']?.length ?? 0} institutions, ${errorSummary(full.body)}`);
    const part = await post(url, PROGRESS, { id: learner.id }, headers);
    const record = part.body.data?.['learner'];
    say(`   learner { achievements pathways } (needs part of it): HTTP ${part.status}, ${record?.achievements?.length ?? 0} achievements, pathways ${JSON.stringify(record?.pathways)}`);
    say(`      ${errorSummary(part.body)}`);

    say('');
    say(`3. the hub stops while ${options.inFlight} requests are in flight (each held at member ${learner.members[1]})`);
    let release = () => undefined as void;
    gate.held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answers = Array.from({ length: options.inFlight }, () => post(url, ONE_MEMBER, { id: learner.members[1] }));
    for (let i = 0; i < 400 && gate.waiting < options.inFlight; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopStarted = performance.now();
    stopped = true;
    const stopping = hub.stop();
    let closedAfter = -1;
    while (closedAfter < 0 && performance.now() - stopStarted < Math.min(250, options.deadline / 2)) {
      if (await refused(url)) closedAfter = performance.now() - stopStarted;
    }
    release();
    const settled = await Promise.all(answers);
    await stopping;
    const good = settled.filter((answer) => answer.status === 200 && !answer.body.errors && answer.body.data?.['institution']);
    say(`   held at the member when the stop began: ${gate.waiting} of ${options.inFlight}`);
    say(`   new connections refused ${closedAfter >= 0 ? `${closedAfter.toFixed(0)} ms after the stop began, while the requests were still held` : 'NOT seen while the requests were held'}`);
    say(`   answers: ${good.length} of ${options.inFlight} HTTP 200 with data and no errors; the whole stop took ${(performance.now() - stopStarted).toFixed(0)} ms`);
  } finally {
    if (!stopped) await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The real thing: npm start's entry point as its own process, SIGTERM while its answers are under way. */
async function processDrain(options: { inFlight: number; learners: number }, signalAfterMs: number, say: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-check-process-'));
  try {
    // Every member on a free port, so the check never collides with a hub already running here.
    const registry = join(dir, 'members.json');
    writeFileSync(registry, JSON.stringify({ members: ALLIANCE_MEMBERS.map((member) => ({ id: member.id, name: member.name, endpoint: 'http://127.0.0.1:0/graphql' })) }));
    const ports = Object.fromEntries(['GATEWAY', 'MEMBERS', 'ESCO', 'LEARNERS', 'ISSUANCE', 'RECOGNITION', 'PASSPORT', 'ANALYTICS'].map((name) => [`${name}_PORT`, '0']));
    say('');
    say(`3b. npm start's process (hub/start.ts, 13 members on their thread, ${options.learners} learners): SIGTERM ${signalAfterMs} ms after sending ${options.inFlight * 4} pathway queries at once`);
    const started = await startProcess(REPO_ROOT, ['--import', 'tsx', 'hub/start.ts'], { DATA_DIR: join(dir, 'data'), DEMO_LEARNERS: String(options.learners), MEMBER_REGISTRY: registry, ...ports }, /Press Ctrl\+C to stop\./, 300_000);
    const url = /Gateway\s+(http:\/\/\S+\/graphql)/.exec(started.output())?.[1];
    if (!url) throw new Error(`hub/start.ts printed no gateway address:\n${started.output().slice(-1_000)}`);
    const learner = showcaseLearners({ learners: options.learners }, 1)[0] as { id: string };
    // The process's development identity provider keeps its key in the data folder: the same key signs our token.
    const idp = await ensureDevIdp(join(dir, 'data', 'keys'));
    const headers = { authorization: `Bearer ${await idp.issue({ role: 'learner', learnerId: learner.id })}` };
    await post(url, PATHWAY_QUERY, { id: learner.id }, headers);
    const exit = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
    let answered = 0;
    const answers = Array.from({ length: options.inFlight * 4 }, () =>
      post(url, PATHWAY_QUERY, { id: learner.id }, headers).then(
        (answer) => {
          answered += 1;
          return answer;
        },
        (error: unknown) => {
          answered += 1;
          return { status: 0, body: { errors: [{ message: String((error as Error).cause ?? error) }] } as Body, ms: 0 };
        },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, signalAfterMs));
    const pending = answers.length - answered;
    const signalled = performance.now();
    started.child.kill('SIGTERM');
    const settled = await Promise.all(answers);
    const code = await exit;
    const ok = settled.filter((answer) => answer.status === 200 && !answer.body.errors && answer.body.data?.['learner']?.achievements?.length > 0);
    say(`   not yet answered when SIGTERM was sent: ${pending} of ${answers.length}`);
    say(`   answers: ${ok.length} of ${answers.length} HTTP 200 with data and no errors${ok.length < answers.length ? ` (others: ${[...new Set(settled.filter((answer) => !ok.includes(answer)).map((answer) => `${answer.status} ${answer.body.errors?.[0]?.message ?? ''}`))].join('; ')})` : ''}`);
    say(`   after: new connections ${(await refused(url)) ? 'refused' : 'STILL ACCEPTED'}; exit code ${code}, ${(performance.now() - signalled).toFixed(0)} ms after the signal`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      deadline: { type: 'string', default: '500' },
      runs: { type: 'string', default: '5' },
      'in-flight': { type: 'string', default: '5' },
      learners: { type: 'string', default: '40' },
      'no-process': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, value: string, min: number, max: number) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new ConfigError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
    return parsed;
  };
  const options = {
    deadline: number('deadline', values.deadline, 100, 10_000),
    runs: number('runs', values.runs, 1, 100),
    inFlight: number('in-flight', values['in-flight'], 1, 100),
    learners: number('learners', values.learners, 10, 5_000),
  };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  await scenarios(options, say);
  if (!values['no-process']) {
    // 250 ms: every request has reached the hub and is being worked on. 20 ms: sent, but most not yet read
    // by the hub's busy event loop (waiting in the kernel's accept queue or unparsed on a fresh socket).
    await processDrain(options, 250, say);
    await processDrain(options, 20, say);
  }
}

runMain(main);
