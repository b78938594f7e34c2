import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../../lib/config.js';
import type { MemberIds } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import { parseRegistryText, type MemberEntry, type Registry } from './registry.js';

/*
 * Reloading the member registry while the router runs, so the alliance adds
 * or removes a member without restarting the hub. The registry lives in a
 * holder the router owns; each request takes the registry current when it
 * starts and keeps it to the end, so a reload never changes the members of a
 * request in flight. The central services that name members (the learner
 * register, recognition, issuance's register of trusted issuers) read the same
 * holder, or their own of the same file, so a member added or removed is known
 * everywhere without a restart.
 */

/** Member ids a reload added, removed, or changed (name, endpoint or deadline), in registry order. */
export interface RegistryChange {
  added: string[];
  removed: string[];
  changed: string[];
}

export type RegistryReload =
  | ({ status: 'reloaded' } & RegistryChange)
  /** The file holds what is already loaded. */
  | { status: 'unchanged' }
  /** The file could not be read or is not a valid registry: the registry in use stays. */
  | { status: 'invalid'; error: string };

/** The registry new requests use, replaceable while the router runs. */
export interface RegistryHolder {
  current(): Registry;
  /** Makes `next` the registry of every request that starts from now on. */
  replace(next: Registry): RegistryChange;
  /** Called after every replacement that added, removed or changed a member (issuance updates its register). */
  onChange(listener: (change: RegistryChange, registry: Registry) => void): void;
}

export function createRegistryHolder(initial: Registry): RegistryHolder {
  let registry = initial;
  const listeners: ((change: RegistryChange, registry: Registry) => void)[] = [];
  return {
    current: () => registry,
    replace(next) {
      const change = diffRegistries(registry, next);
      registry = next;
      if (change.added.length + change.removed.length + change.changed.length > 0) for (const listener of listeners) listener(change, next);
      return change;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

/** The ids of the holder's members, as they are now at every call (a reload shows at once). */
export function memberIdsOf(holder: RegistryHolder): MemberIds {
  let seen: Registry | undefined;
  let ids = new Set<string>();
  const current = () => {
    const registry = holder.current();
    if (registry !== seen) {
      seen = registry;
      ids = new Set(registry.members.map((member) => member.id));
    }
    return ids;
  };
  return {
    has: (id) => current().has(id),
    get size() {
      return current().size;
    },
  };
}

/** A registry read from a file and kept in step with it (watched, and re-read on `reload`). */
export interface LiveRegistry {
  holder: RegistryHolder;
  reload(trigger?: string): Promise<RegistryReload>;
  close(): void;
}

/**
 * Reads the registry file (a missing or invalid one stops the start with one
 * line) and watches it. `initial`, when given, is the registry in use at first
 * (the embedded hub's members on their own ports); the file decides from the
 * first change on.
 */
export function openLiveRegistry(path: string, logger: Logger, options: { initial?: Registry; watch?: boolean } = {}): LiveRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Member registry ${path}: cannot be read.`);
  }
  const holder = createRegistryHolder(options.initial ?? parseRegistryText(text, path));
  const reloader = watchRegistryFile({ path, holder, logger, loadedText: text, ...(options.watch === undefined ? {} : { watch: options.watch }) });
  return { holder, reload: reloader.reload, close: reloader.close };
}

const sameEntry = (a: MemberEntry, b: MemberEntry) => a.name === b.name && a.endpoint === b.endpoint && a.timeoutMs === b.timeoutMs;

export function diffRegistries(before: Registry, after: Registry): RegistryChange {
  return {
    added: after.members.filter((member) => !before.get(member.id)).map((member) => member.id),
    removed: before.members.filter((member) => !after.get(member.id)).map((member) => member.id),
    changed: after.members.filter((member) => {
      const previous = before.get(member.id);
      return previous !== undefined && !sameEntry(previous, member);
    }).map((member) => member.id),
  };
}

function describeChange(change: RegistryChange): string {
  const parts = [
    change.added.length ? `added ${change.added.join(', ')}` : '',
    change.removed.length ? `removed ${change.removed.join(', ')}` : '',
    change.changed.length ? `changed ${change.changed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'no member added, removed or changed (order or defaults only)';
}

export interface RegistryFileOptions {
  path: string;
  holder: RegistryHolder;
  logger: Logger;
  /** The file's text when the holder's registry was read from it: a change is a different text. */
  loadedText: string;
  /** Watch the file's folder and reload on change (default true). */
  watch?: boolean;
  /** How long the folder must be quiet before the file is read (default 200 ms): editors write in several steps. */
  debounceMs?: number;
}

export interface RegistryFileReloader {
  /** Re-reads the file now; `trigger` ("SIGHUP", "requested") is named in the log line. */
  reload(trigger?: string): Promise<RegistryReload>;
  close(): void;
}

/**
 * Keeps the holder in step with a registry file: on a change in its folder
 * (debounced) and whenever `reload` is called. A valid file replaces the
 * registry and logs what changed; an invalid one keeps the registry in use
 * and logs one line naming the file and the problem (once per content, when
 * it comes from watching: an editor's half-written file is not worth a line
 * per save).
 */
export function watchRegistryFile(options: RegistryFileOptions): RegistryFileReloader {
  const { path, holder, logger } = options;
  let loadedText = options.loadedText;
  let rejectedText: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;

  const attempt = async (trigger: string): Promise<RegistryReload> => {
    const fromWatch = trigger === 'file changed';
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      // A rename into place never leaves the path missing; a deleted file keeps the registry in use.
      text = `\u0000unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    }
    if (text === loadedText) {
      rejectedText = undefined;
      if (!fromWatch) logger.info(`member registry ${path} re-read (${trigger}): unchanged, ${holder.current().members.length} members`);
      return { status: 'unchanged' };
    }
    let next: Registry;
    try {
      if (text.startsWith('\u0000unreadable:')) throw new Error(`cannot be read (${text.slice('\u0000unreadable:'.length)})`);
      next = parseRegistryText(text, path);
    } catch (error) {
      // parseRegistry names the file itself ("Member registry <path>: …"); the line says it once.
      const problem = (error as Error).message.replace(`Member registry ${path}: `, '').replace(/\s+/g, ' ');
      if (!fromWatch || text !== rejectedText) {
        logger.warn(`member registry ${path} not reloaded (${trigger}), still routing to the ${holder.current().members.length} members loaded before: ${problem}`);
      }
      rejectedText = text;
      return { status: 'invalid', error: problem };
    }
    const change = holder.replace(next);
    loadedText = text;
    rejectedText = undefined;
    logger.info(`member registry ${path} reloaded (${trigger}): ${describeChange(change)}; routing to ${next.members.length} members`);
    return { status: 'reloaded', ...change };
  };
  // One reload at a time: a signal during a watch-triggered reload waits for it, then reads the file again.
  const reload = (trigger = 'requested'): Promise<RegistryReload> => {
    const result = queue.then(() => attempt(trigger));
    queue = result.catch(() => undefined);
    return result;
  };

  if (options.watch ?? true) {
    // The folder, not the file: editors, `mv` and Kubernetes ConfigMaps replace the file by a rename,
    // which ends a watch on the file itself. Any event in the folder re-reads the file; the text decides.
    watcher = watch(dirname(path), { persistent: false }, () => {
      if (closed) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload('file changed'), options.debounceMs ?? 200);
    });
    watcher.on('error', (error) => logger.warn(`member registry ${path}: watching its folder stopped (${error.message}); reload with SIGHUP`));
  }
  return {
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
