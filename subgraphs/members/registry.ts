import { readFileSync } from 'node:fs';
import { ConfigError } from '../../lib/config.js';
import { isMemberId } from '../../lib/ids.js';

/** One member as the hub knows it: who it is and where its subgraph answers. */
export interface MemberEntry {
  id: string;
  name: string;
  endpoint: string;
  /** Deadline for one call to this member, in milliseconds. */
  timeoutMs: number;
}

export interface Registry {
  members: readonly MemberEntry[];
  get(id: string): MemberEntry | undefined;
}

export const DEFAULT_MEMBER_TIMEOUT_MS = 2_000;

function fail(source: string, message: string): never {
  throw new ConfigError(`Member registry ${source}: ${message}`);
}

/**
 * Validates a registry document: `{ defaultTimeoutMs?, members: [{ id, name,
 * endpoint, timeoutMs? }] }`. Every problem is reported with the member's
 * position and field, so a typo in a deployment file is found at start-up.
 */
export function parseRegistry(document: unknown, source = '(inline)'): Registry {
  if (typeof document !== 'object' || document === null) fail(source, 'must be a JSON object with a "members" list.');
  const { members, defaultTimeoutMs } = document as { members?: unknown; defaultTimeoutMs?: unknown };
  const fallbackTimeout = defaultTimeoutMs ?? DEFAULT_MEMBER_TIMEOUT_MS;
  if (typeof fallbackTimeout !== 'number' || !Number.isInteger(fallbackTimeout) || fallbackTimeout < 50 || fallbackTimeout > 120_000) {
    fail(source, '"defaultTimeoutMs" must be an integer from 50 to 120000.');
  }
  if (!Array.isArray(members) || members.length === 0) fail(source, '"members" must be a non-empty list.');
  const entries: MemberEntry[] = members.map((raw: unknown, index) => {
    const where = `members[${index}]`;
    if (typeof raw !== 'object' || raw === null) fail(source, `${where} must be an object.`);
    const { id, name, endpoint, timeoutMs } = raw as Record<string, unknown>;
    if (typeof id !== 'string' || !isMemberId(id)) fail(source, `${where}.id must be the member's web domain, e.g. "tuni.fi".`);
    if (typeof name !== 'string' || name.trim() === '') fail(source, `${where}.name must be a non-empty string.`);
    let url: URL;
    try {
      url = new URL(String(endpoint));
    } catch {
      fail(source, `${where}.endpoint must be an absolute http(s) URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(source, `${where}.endpoint must use http or https.`);
    const timeout = timeoutMs ?? fallbackTimeout;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50 || timeout > 120_000) {
      fail(source, `${where}.timeoutMs must be an integer from 50 to 120000.`);
    }
    return { id, name: name.trim(), endpoint: url.toString(), timeoutMs: timeout };
  });
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.id)) fail(source, `member "${entry.id}" is listed twice.`);
    seen.add(entry.id);
  }
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  return { members: entries, get: (id) => byId.get(id) };
}

/** Validates a registry file's text (JSON); `source` names the file in errors. */
export function parseRegistryText(text: string, source: string): Registry {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Member registry ${source}: is not valid JSON (${(error as Error).message}).`);
  }
  return parseRegistry(document, source);
}

/** Reads and validates a registry file (JSON). */
export function readRegistryFile(path: string): Registry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Member registry ${path}: cannot be read.`);
  }
  return parseRegistryText(text, path);
}
