import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';

/*
 * House rules the code layout keeps: the services' own entry points never
 * carry demo seeding (the hub injects it), and modules import each other
 * without circles (a circle makes import order, and so start-up, fragile).
 */

const SOURCE_DIRS = ['gateway', 'hub', 'lib', 'scripts', 'subgraphs'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)));
const rel = (path: string) => relative(REPO_ROOT, path);

/** Relative imports of a module, as repository paths (`./x.js` → `x.ts`); type-only imports count too. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(([, specifier]) =>
    resolve(dirname(file), specifier!.replace(/\.js$/, '.ts')),
  );
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

function reachable(from: string): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...(graph.get(file) ?? []));
  }
  return seen;
}

describe('module layout', () => {
  const entryPoints = files.filter((file) => /^(subgraphs\/[^/]+|gateway)\/index\.ts$/.test(rel(file)));
  const demoModules = ['hub/seed.ts', 'hub/demo.ts'].map((path) => join(REPO_ROOT, path));

  it('finds the services\' entry points', () => {
    expect(entryPoints.map(rel)).toEqual(expect.arrayContaining(['gateway/index.ts', 'subgraphs/member/index.ts', 'subgraphs/learners/index.ts']));
  });

  it.each(entryPoints.map(rel))('%s does not import the demo seeder', (entry) => {
    const reached = reachable(join(REPO_ROOT, entry));
    expect(demoModules.filter((module) => reached.has(module)).map(rel)).toEqual([]);
  });

  it('has no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 'active' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'active');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        if (state.get(next) === 'active') circles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
