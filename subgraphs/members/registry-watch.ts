import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../lib/log.js';
import { parseRegistryText, type MemberEntry, type Registry } from './registry.js';

/*
 * Reloading the member registry while the router runs, so the alliance adds
 * or removes a member without restarting the hub. The registry lives in a
 * holder the router owns; each request takes the registry current when it
 * starts and keeps it to the end, so a reload never changes the members of a
 * request in flight.
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
}

export function createRegistryHolder(initial: Registry): RegistryHolder {
  let registry = initial;
  return {
    current: () => registry,
    replace(next) {
      const change = diffRegistries(registry, next);
      registry = next;
      return change;
    },
  };
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
