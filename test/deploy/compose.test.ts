import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HUB_JWKS_PATH, supergraphSubgraphs } from '../../gateway/gateway.js';
import { readSupergraph, SUPERGRAPH_PATH } from '../../gateway/supergraph.js';
import { memberProfile } from '../../hub/alliance.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { parseRegistry, type Registry } from '../../subgraphs/members/registry.js';
import { MEMBER_CONTRACT_PATH } from '../../subgraphs/members/schema.js';

/*
 * The deployment description (Dockerfile, docker-compose.yml,
 * config/members.docker.json) checked against the code's own facts: the
 * supergraph's URLs, the registry, the entry points' environment variables and
 * imports. No Docker engine is needed; a mismatch that would only show up as a
 * container that never becomes healthy fails here.
 */

interface ComposeService {
  build?: unknown;
  restart?: string;
  entrypoint?: string[] | string;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition?: string }> | string[];
  ports?: (string | number)[];
  volumes?: string[];
}

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/**
 * Compose's variable substitution with the defaults the file declares
 * (`${NAME:-default}`, `$$`), ignoring the caller's environment so the test is
 * deterministic. A variable without a default would silently become "" in
 * compose, so it fails here.
 */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      if (fallback === undefined) throw new Error(`docker-compose.yml uses \${${name}} without a default`);
      return fallback;
    });
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item)]));
  return value;
}

const compose = interpolate(parse(read('docker-compose.yml'), { merge: true })) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const services = compose.services;
const serviceNames = Object.keys(services);

function environment(service: ComposeService): Record<string, string> {
  const raw = service.environment ?? {};
  const entries = Array.isArray(raw) ? raw.map((line) => line.split(/=(.*)/s).slice(0, 2)) : Object.entries(raw);
  return Object.fromEntries(entries.map(([key, value]) => [key, String(value ?? '')]));
}

const words = (value: string[] | string | undefined) => (Array.isArray(value) ? value : (value ?? '').split(/\s+/));

/** Services built from this repository's Dockerfile (the Node services). */
const nodeServices = serviceNames.filter((name) => services[name]?.build !== undefined);
const postgresServices = new Set(serviceNames.filter((name) => services[name]?.image?.startsWith('postgres:')));

/** The TypeScript entry point a service runs, e.g. `subgraphs/member/index.ts`. */
function entryOf(name: string): string {
  const entry = words(services[name]?.command).find((word) => word.endsWith('.ts'));
  if (!entry) throw new Error(`service ${name} runs no TypeScript entry point`);
  return entry;
}

/** The entry point `npm run <script>` runs (package.json is the source of truth for entry points). */
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
function scriptEntry(script: string): string {
  const entry = scripts[script]?.match(/\btsx (\S+\.ts)/)?.[1];
  if (!entry) throw new Error(`package.json has no "${script}" script running tsx`);
  return entry;
}

/**
 * The entry point this deployment runs for `npm run <script>`: its demo variant when there is one
 * (`member:demo` seeds demo data; the hub injects the seeding, the subgraph's own entry has none).
 */
function deployedEntry(script: string): string {
  return scripts[`${script}:demo`] ? scriptEntry(`${script}:demo`) : scriptEntry(script);
}

const servicesRunning = (entry: string) => nodeServices.filter((name) => entryOf(name) === entry);

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The Dockerfile as stages of [instruction, arguments], continuation lines joined. */
function dockerfileStages(): { instructions: [string, string][] }[] {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { instructions: [string, string][] }[] = [];
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction.toUpperCase() === 'FROM') stages.push({ instructions: [] });
    else stages.at(-1)?.instructions.push([instruction.toUpperCase(), args]);
  }
  return stages;
}

const runtimeStage = dockerfileStages().at(-1)!;
const WORKDIR = runtimeStage.instructions.filter(([instruction]) => instruction === 'WORKDIR').at(-1)?.[1] ?? '/';

/** Path inside the image → path in the repository (the runtime stage's WORKDIR is the repository root). */
function repoPath(imagePath: string): string {
  const relative = posix.relative(WORKDIR, imagePath);
  if (relative.startsWith('..')) throw new Error(`${imagePath} is outside the image's WORKDIR ${WORKDIR}`);
  return relative;
}

const routerServices = servicesRunning(deployedEntry('members'));
const registryPath = repoPath(environment(service(routerServices[0] ?? 'members'))['MEMBER_REGISTRY'] ?? '');
/** The registry; when it is invalid, a placeholder, so its own test fails with the reason instead of the whole file. */
function loadRegistry(): Registry {
  try {
    return parseRegistry(JSON.parse(read(registryPath)), registryPath);
  } catch {
    return parseRegistry({ members: [{ id: 'invalid.registry', name: 'invalid', endpoint: 'http://invalid/' }] });
  }
}
const registry = loadRegistry();
const subgraphs = supergraphSubgraphs(readSupergraph());

/** The repository files a module imports by relative path (`./x.js` → `x.ts`). */
function importsOf(file: string): string[] {
  return [...read(file).matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map(([, specifier]) =>
    posix.join(posix.dirname(file), specifier!.replace(/\.js$/, '.ts')),
  );
}

/** Does the entry point's source read this variable (a quoted name, or a `PREFIX_${…}` family over supergraph subgraph names)? */
function readsVariable(source: string, variable: string): boolean {
  if (source.includes(`'${variable}'`) || source.includes(`"${variable}"`)) return true;
  return [...source.matchAll(/`([A-Z][A-Z0-9_]*_)\$\{/g)].some(
    ([, prefix]) => prefix !== undefined && variable.startsWith(prefix) && subgraphs.some((subgraph) => subgraph.name.toUpperCase() === variable.slice(prefix.length)),
  );
}

describe('docker-compose.yml', () => {
  it.each(subgraphs)('serves supergraph subgraph $name at the service and port composed into its URL', ({ name, url }) => {
    const address = new URL(url);
    const target = service(address.hostname);
    expect(entryOf(address.hostname), `service ${address.hostname} should run the ${name} subgraph`).toBe(deployedEntry(name));
    expect(environment(target)['PORT']).toBe(address.port);
  });

  it('publishes the gateway on the port it listens on', () => {
    const [gateway] = servicesRunning(deployedEntry('gateway'));
    expect(gateway, 'a service runs the gateway').toBeDefined();
    const port = environment(service(gateway!))['PORT'];
    expect(service(gateway!).ports?.map((mapping) => String(mapping).split(':').at(-1))).toContain(port);
  });

  it('runs a member service for every registry entry, with its id and at its endpoint port', () => {
    for (const member of registry.members) {
      const endpoint = new URL(member.endpoint);
      const env = environment(service(endpoint.hostname));
      expect(entryOf(endpoint.hostname), `${endpoint.hostname} should run the member subgraph`).toBe(deployedEntry('member'));
      expect(env['MEMBER_ID'], endpoint.hostname).toBe(member.id);
      expect(env['PORT'], endpoint.hostname).toBe(endpoint.port);
    }
  });

  it('lists in the registry every member service it runs', () => {
    const registered = registry.members.map((member) => new URL(member.endpoint).hostname);
    expect(servicesRunning(deployedEntry('member')).sort()).toEqual([...registered].sort());
  });

  it('gives every member a PostgreSQL service of its own', () => {
    const databaseServices = registry.members.map((member) => {
      const name = new URL(member.endpoint).hostname;
      const host = new URL(environment(service(name))['DATABASE_URL'] ?? 'missing:').hostname;
      expect(postgresServices.has(host), `${name}'s DATABASE_URL should name a postgres service, not "${host}"`).toBe(true);
      return host;
    });
    expect(new Set(databaseServices).size, `members share database services: ${databaseServices.join(', ')}`).toBe(databaseServices.length);
  });

  it.each(nodeServices.filter((name) => environment(service(name))['DATABASE_URL']))(
    '%s connects to a database its PostgreSQL service creates, with that service\'s credentials',
    (name) => {
      const url = new URL(environment(service(name))['DATABASE_URL']!);
      expect(url.protocol).toBe('postgresql:');
      const database = service(url.hostname);
      const env = environment(database);
      expect(url.port || '5432').toBe('5432');
      expect(decodeURIComponent(url.username)).toBe(env['POSTGRES_USER'] ?? 'postgres');
      expect(decodeURIComponent(url.password)).toBe(env['POSTGRES_PASSWORD']);
      // The image creates POSTGRES_DB (default: the user's name) plus whatever the mounted init scripts create.
      const initScripts = (database.volumes ?? [])
        .map((volume) => volume.split(':'))
        .filter(([source, target]) => source?.startsWith('./') && target?.startsWith('/docker-entrypoint-initdb.d'))
        .map(([source]) => read(source!));
      const created = [env['POSTGRES_DB'] ?? env['POSTGRES_USER'] ?? 'postgres', ...initScripts.flatMap((sql) => [...sql.matchAll(/create database\s+"?(\w+)"?/gi)].map((match) => match[1]))];
      expect(created).toContain(url.pathname.slice(1));
    },
  );

  it.each(nodeServices)('%s listens on all interfaces and is healthy only when its own PORT answers /readyz', (name) => {
    const env = environment(service(name));
    expect(env['HOST']).toBe('0.0.0.0');
    expect(env['PORT']).toMatch(/^\d+$/);
    expect(words(service(name).healthcheck?.test).join(' ')).toContain(`http://127.0.0.1:${env['PORT']}/readyz`);
  });

  it.each([...postgresServices])('%s is healthy when PostgreSQL accepts connections', (name) => {
    expect(words(service(name).healthcheck?.test)).toContain('pg_isready');
  });

  it.each(serviceNames)('%s starts only after the services it depends on are healthy', (name) => {
    const dependsOn = service(name).depends_on ?? {};
    expect(Array.isArray(dependsOn), 'depends_on needs the long form with a condition').toBe(false);
    for (const [dependency, { condition }] of Object.entries(dependsOn)) {
      expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
      expect(service(dependency).healthcheck?.test, `${dependency} needs a healthcheck to be waited for`).toBeDefined();
    }
  });

  it('starts each service after the database its DATABASE_URL names', () => {
    for (const name of nodeServices) {
      const url = environment(service(name))['DATABASE_URL'];
      if (url) expect(Object.keys(service(name).depends_on ?? {}), name).toContain(new URL(url).hostname);
    }
  });

  it('starts the member router after every member in its registry', () => {
    const members = registry.members.map((member) => new URL(member.endpoint).hostname);
    for (const router of routerServices) expect(Object.keys(service(router).depends_on ?? {})).toEqual(expect.arrayContaining(members));
  });

  it('starts the gateway after every subgraph of the supergraph', () => {
    const hosts = subgraphs.map((subgraph) => new URL(subgraph.url).hostname);
    for (const gateway of servicesRunning(deployedEntry('gateway'))) expect(Object.keys(service(gateway).depends_on ?? {})).toEqual(expect.arrayContaining(hosts));
  });

  it('gives the member router time to answer before the gateway gives up on it', () => {
    for (const gateway of servicesRunning(deployedEntry('gateway'))) {
      const env = environment(service(gateway));
      const routerName = subgraphs.find((subgraph) => routerServices.includes(new URL(subgraph.url).hostname))?.name ?? '';
      const deadline = Number(env[`SUBGRAPH_TIMEOUT_MS_${routerName.toUpperCase()}`] ?? env['SUBGRAPH_TIMEOUT_MS'] ?? 5_000);
      expect(deadline).toBeGreaterThan(Math.max(...registry.members.map((member) => member.timeoutMs)));
    }
  });

  it('waits with health checks, never with sleep', () => {
    for (const [name, definition] of Object.entries(services)) {
      const commands = [definition.command, definition.healthcheck?.test, definition.entrypoint];
      for (const command of commands) expect(words(command).join(' '), name).not.toMatch(/\bsleep\b/);
    }
  });

  it.each(nodeServices)('%s sets only environment variables its entry point reads', (name) => {
    // The entry point, the service module it runs and the helpers those call directly
    // (lib/entry.ts reads LOG_FORMAT for every service).
    const direct = importsOf(entryOf(name));
    const source = [...new Set([entryOf(name), ...direct, ...direct.flatMap(importsOf)])].map(read).join('\n');
    const unread = Object.keys(environment(service(name))).filter((variable) => !readsVariable(source, variable));
    expect(unread, `${entryOf(name)} does not read these`).toEqual([]);
  });

  it('seeds members and learners with the same number of demo learners', () => {
    const seeding = nodeServices.map((name) => environment(service(name))).filter((env) => env['SEED_DEMO'] === 'true');
    expect(seeding.length).toBeGreaterThan(0);
    expect(new Set(seeding.map((env) => env['DEMO_LEARNERS'])).size).toBe(1);
  });

  it('links the demo learners only to the members this deployment runs', () => {
    const learners = servicesRunning(deployedEntry('learners'));
    expect(learners).toHaveLength(1);
    const demoMembers = environment(service(learners[0] as string))['DEMO_MEMBERS']?.split(',') ?? [];
    expect(demoMembers.sort()).toEqual(registry.members.map((member) => member.id).sort());
  });

  it('lets every subgraph answer only the hub: each verifies hub tokens with the keys the gateway publishes', () => {
    const gateway = servicesRunning(deployedEntry('gateway'))[0] as string;
    const gatewayEnv = environment(service(gateway));
    const port = gatewayEnv['PORT'];
    // Services that sign hub tokens themselves (the member router, issuance, recognition, learners for erasures)
    // share the gateway's key folder; every other one verifies with the key set the gateway publishes.
    const keysDir = gatewayEnv['HUB_KEYS_DIR'];
    expect(keysDir).toBeTruthy();
    const signers = [deployedEntry('members'), deployedEntry('issuance'), deployedEntry('recognition')].map((entry) => servicesRunning(entry)[0] as string);
    const volumeOf = (name: string) => service(name).volumes?.find((volume) => volume.split(':')[1] === keysDir)?.split(':')[0];
    const learners = servicesRunning(deployedEntry('learners'))[0] as string;
    expect(environment(service(learners))['HUB_KEYS_DIR']).toBe(keysDir);
    expect(volumeOf(learners)).toBe(volumeOf(gateway));
    expect(volumeOf(gateway)).toBeTruthy();
    for (const signer of signers) {
      expect(environment(service(signer))['HUB_KEYS_DIR'], signer).toBe(keysDir);
      expect(volumeOf(signer), signer).toBe(volumeOf(gateway));
    }
    for (const name of nodeServices.filter((candidate) => candidate !== gateway && !signers.includes(candidate))) {
      expect(environment(service(name))['HUB_JWKS_URL'], name).toBe(`http://${gateway}:${port}${HUB_JWKS_PATH}`);
    }
  });

  it('restarts every service unless stopped and keeps databases in named volumes', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    for (const [name, definition] of Object.entries(services)) expect(definition.restart, name).toBe('unless-stopped');
    for (const name of postgresServices) {
      const data = service(name).volumes?.find((volume) => volume.split(':')[1] === '/var/lib/postgresql/data');
      expect(volumes, name).toContain(data?.split(':')[0]);
    }
  });
});

describe('config/members.docker.json', () => {
  it('is a valid member registry', () => {
    expect(() => parseRegistry(JSON.parse(read(registryPath)), registryPath)).not.toThrow();
  });

  it('names every member as the alliance does, so its demo data exists', () => {
    for (const member of registry.members) expect(member.name, member.id).toBe(memberProfile(member.id)?.name);
  });
});

describe('Dockerfile', () => {
  const instructions = (name: string) => runtimeStage.instructions.filter(([instruction]) => instruction === name).map(([, args]) => args);

  it('disables Apollo telemetry and runs in production mode in the image', () => {
    const env = instructions('ENV').join(' ');
    expect(env).toMatch(/\bAPOLLO_TELEMETRY_DISABLED=1\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
  });

  it('runs the services as a non-root user', () => {
    const user = instructions('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
  });

  it('copies only the installed dependencies from the build stage', () => {
    const fromStages = instructions('COPY').filter((args) => args.startsWith('--from='));
    expect(fromStages.map((args) => args.split(/\s+/)[1])).toEqual(['/app/node_modules']);
  });

  it('contains every file the services import or read', () => {
    const sources = instructions('COPY')
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1))
      .map((source) => posix.normalize(source).replace(/\/$/, ''));
    const inImage = (path: string) => sources.some((source) => source === '.' || path === source || path.startsWith(`${source}/`));

    // Follow relative imports from every entry point compose runs.
    const files = new Set<string>();
    const pending = nodeServices.map(entryOf);
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (files.has(file)) continue;
      files.add(file);
      pending.push(...importsOf(file));
    }
    const readAtRuntime = [SUPERGRAPH_PATH, MEMBER_CONTRACT_PATH].map((path) => posix.relative(REPO_ROOT, path));
    const missing = [...files, ...readAtRuntime, registryPath, 'package.json', 'tsconfig.json'].filter((path) => !inImage(path));
    expect(missing).toEqual([]);
  });
});
