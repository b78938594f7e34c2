import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { learnerId } from '../../hub/demo.js';
import { PATHWAY_QUERY } from '../../hub/sample.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Issue 16, point 7: every hot query has an index. The queries are not written by hand: the README
 * pathway query and the other frequent reads run through a whole test hub, and every statement SQLite
 * is handed meanwhile is recorded (better-sqlite3's Statement, which every service's ORM connection
 * goes through in this process), with its parameters and the database file it ran on. Each distinct
 * SELECT is then asked for its EXPLAIN QUERY PLAN on that file; a full SCAN of a table that grows with
 * the learners fails the test, so dropping an index a hot query needs shows up here.
 */

/** As much of better-sqlite3 as this test uses (the package ships no types). */
interface SqliteStatement {
  source: string;
  database: { name: string };
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): unknown;
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;

/** The reads that make up most of the hub's traffic (README pathway query, staff lists, catalogue). */
const MEMBER = 'tuni.fi';
const LEARNER = learnerId(0);
const HOT_READS: { name: string; query: string; variables?: Record<string, unknown>; as: 'learner' | 'staff' | 'admin' | 'anonymous' }[] = [
  { name: 'README pathway query', query: PATHWAY_QUERY, variables: { id: LEARNER }, as: 'learner' },
  {
    name: 'a learner’s achievements and enrolments at every member',
    query: /* GraphQL */ `query ($id: ID!) { learner(id: $id) { achievements { id grade } enrolments { id status } } }`,
    variables: { id: LEARNER },
    as: 'learner',
  },
  {
    name: 'a learner’s passport and pathway progress',
    query: /* GraphQL */ `query ($id: ID!) { learner(id: $id) { passport { skillCount skills { skill { uri } counts } } pathways { complete ectsCounted } } }`,
    variables: { id: LEARNER },
    as: 'learner',
  },
  {
    name: 'the learner register, first pages',
    query: /* GraphQL */ `{ learners(first: 20) { totalCount nodes { id createdAt } pageInfo { endCursor } } }`,
    as: 'admin',
  },
  {
    name: 'a member’s learner accounts, first pages, with their achievements',
    query: /* GraphQL */ `{ learnerAccounts(first: 20) { totalCount nodes { id learner { id achievements { id } enrolments { id } } } pageInfo { endCursor } } }`,
    as: 'staff',
  },
  {
    name: 'catalogue search and institutions',
    query: /* GraphQL */ `{ offerings(filter: { text: "data" }, first: 20) { totalCount nodes { id title institution { id } } } institutions { id name country } }`,
    as: 'anonymous',
  },
];

/** Second pages: the keyset continuation of the lists above, from the first page's end cursor. */
const NEXT_PAGES: { name: string; query: string; list: 'learners' | 'learnerAccounts'; as: 'admin' | 'staff' }[] = [
  { name: 'the learner register, next page', list: 'learners', as: 'admin', query: /* GraphQL */ `query ($after: String) { learners(first: 20, after: $after) { nodes { id } } }` },
  {
    name: 'a member’s learner accounts, next page',
    list: 'learnerAccounts',
    as: 'staff',
    query: /* GraphQL */ `query ($after: String) { learnerAccounts(first: 20, after: $after) { nodes { id } } }`,
  },
];

/**
 * Tables a full scan of which is fine, and why. Everything else the hot queries read grows with the
 * learners (accounts, achievements, enrolments, grants, credentials, passport entries) or is large
 * (ESCO), and must be searched through an index.
 */
const SCAN_ALLOWED: Record<string, string> = {
  institution: 'one row per member database (the member itself) or one per member in the alliance',
  learning_opportunity:
    'the catalogue search is a substring match (`like %text%`), which no B-tree index serves; a member’s catalogue is hundreds of offerings and does not grow with the learners',
  pathway: 'the alliance’s and members’ pathways: tens of rows, defined by staff, not by learners',
};

/**
 * A `totalCount` is the count of the whole list: SQLite counts it on the narrowest index (a covering
 * index scan), which is as cheap as a count gets; without that index the step reads `SCAN <table>` and fails.
 */
const WHOLE_COUNT = /^select count\(\*\) as `count` from `\w+` as `\w+` limit \?$/;
interface Captured {
  sql: string;
  params: unknown[];
  file: string;
  reads: Set<string>;
}

const captured = new Map<string, Captured>();
let recording: string | undefined;
let hub: TestHub;

/** Records every statement run while `recording` names a hot read, keyed by database and SQL text. */
function recordStatements(): () => void {
  const probe = new Database(':memory:');
  const prototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const method of ['all', 'get', 'run', 'iterate'] as const) {
    const original = prototype[method] as (...args: unknown[]) => unknown;
    originals.set(method, original);
    prototype[method] = function (this: SqliteStatement, ...args: unknown[]) {
      if (recording !== undefined && this.database.name !== ':memory:') {
        const file = this.database.name;
        const key = `${file}\n${this.source}`;
        const entry = captured.get(key) ?? { sql: this.source, params: args.flat(), file, reads: new Set<string>() };
        entry.reads.add(recording);
        captured.set(key, entry);
      }
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [method, original] of originals) prototype[method] = original;
  };
}

async function headers(as: 'learner' | 'staff' | 'admin' | 'anonymous'): Promise<Record<string, string>> {
  if (as === 'learner') return asLearner(hub.hub, LEARNER);
  if (as === 'staff') return bearer(hub.hub, { role: 'member-staff', memberId: MEMBER });
  if (as === 'admin') return bearer(hub.hub, { role: 'alliance-admin' });
  return {};
}

/** A hot read's statements worth explaining: reads of the data, not the ORM's bookkeeping. */
const isHotSelect = (sql: string) => /^\s*(select|with)\b/i.test(sql) && !/sqlite_master|mikro_orm_migrations|pragma/i.test(sql);

interface Plan {
  read: string[];
  file: string;
  sql: string;
  steps: string[];
}

function explain(dataDir: string, entry: Captured): Plan {
  const database = new Database(entry.file, { readonly: true, fileMustExist: true });
  try {
    const rows = database.prepare(`explain query plan ${entry.sql}`).all(...entry.params) as { detail: string }[];
    return { read: [...entry.reads], file: relative(dataDir, entry.file), sql: entry.sql, steps: rows.map((row) => row.detail) };
  } finally {
    database.close();
  }
}

/** The steps of a plan that read a whole table (or a whole index of it) the allowlist does not excuse. */
function fullScans(plan: Plan): string[] {
  // A keyset page's first page walks the id index in order and stops after `first + 1` rows: a scan in
  // name only, as long as no temporary B-tree has to sort the whole table first.
  const orderedByIndex = /\blimit \?$/.test(plan.sql) && !plan.steps.some((step) => step.startsWith('USE TEMP B-TREE'));
  return plan.steps.filter((step) => {
    const scan = /^SCAN (\w+)/.exec(step);
    if (!scan) return false;
    // A scan of a subquery's or CTE's rows, or of a constant row, is not a scan of a stored table.
    if (/^SCAN (CONSTANT ROW|\(subquery|\w+ VIRTUAL TABLE)/.test(step)) return false;
    if (/ USING COVERING INDEX /.test(step) && WHOLE_COUNT.test(plan.sql)) return false;
    if (/ USING INDEX /.test(step) && orderedByIndex) return false;
    const table = tableOf(plan.sql, scan[1] as string);
    return table === undefined || !(table in SCAN_ALLOWED);
  });
}

/** The table an alias in a plan step stands for (SQLite names steps by alias when the query has one). */
function tableOf(sql: string, alias: string): string | undefined {
  const match = new RegExp(`[\`"]?(\\w+)[\`"]?\\s+(?:as\\s+)?[\`"]?${alias}[\`"]?(?:\\s|,|$)`, 'i').exec(sql.replace(/\s+/g, ' '));
  if (match && !/^(from|join|as)$/i.test(match[1] as string)) return match[1];
  return alias;
}

let plans: Plan[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  const restore = recordStatements();
  try {
    for (const read of HOT_READS) {
      recording = read.name;
      const { body } = await hub.query(read.query, read.variables, await headers(read.as));
      expect(body.errors, read.name).toBeUndefined();
    }
    for (const page of NEXT_PAGES) {
      recording = undefined;
      const first = await hub.query(`{ ${page.list}(first: 20) { pageInfo { endCursor } } }`, {}, await headers(page.as));
      recording = page.name;
      const { body } = await hub.query(page.query, { after: first.body.data?.[page.list].pageInfo.endCursor }, await headers(page.as));
      expect(body.errors, page.name).toBeUndefined();
    }
  } finally {
    recording = undefined;
    restore();
  }
  plans = [...captured.values()].filter((entry) => isHotSelect(entry.sql)).map((entry) => explain(hub.dataDir, entry));
  // HOT_QUERY_PLANS=<file> writes the plans for docs/performance.md.
  const out = process.env['HOT_QUERY_PLANS'];
  if (out) writeFileSync(out, JSON.stringify(plans, null, 2));
}, 120_000);
afterAll(async () => {
  await hub?.stop();
});

describe('the hot queries’ plans on SQLite', () => {
  it('captures the hot reads’ queries on the member, learner register, ESCO and central databases', () => {
    const files = new Set(plans.map((plan) => plan.file));
    for (const file of [`members/${MEMBER}.sqlite`, 'learners.sqlite', 'esco.sqlite', 'passport.sqlite', 'issuance.sqlite', 'recognition.sqlite']) expect(files).toContain(file);
    expect(plans.length).toBeGreaterThan(10);
  });

  it('would catch a hot query whose index is gone (a copy of a member database without the enrolments’ account indexes)', () => {
    const plan = plans.find((candidate) => candidate.file === `members/${MEMBER}.sqlite` && /^select `e0`\.\* from `enrolment` as `e0` where `e0`\.`account_id` in/.test(candidate.sql));
    expect(plan).toBeDefined();
    const copy = join(hub.dataDir, 'without-index.sqlite');
    const source = new Database(join(hub.dataDir, plan?.file as string), { readonly: true });
    source.prepare(`vacuum into '${copy}'`).run();
    source.close();
    const database = new Database(copy);
    // Both cover `account_id` (the second as its prefix); either alone keeps the search.
    database.prepare('drop index enrolment_account_id_index').run();
    database.prepare('drop index enrolment_account_id_status_index').run();
    database.close();
    const without = explain(hub.dataDir, { ...(captured.get(`${join(hub.dataDir, plan?.file as string)}\n${plan?.sql}`) as Captured), file: copy });
    expect(fullScans(without)).not.toEqual([]);
  });

  it('reads no table that grows with the learners by a full scan', () => {
    const offending = plans.map((plan) => ({ file: plan.file, read: plan.read, sql: plan.sql, scans: fullScans(plan) })).filter((plan) => plan.scans.length > 0);
    expect(offending).toEqual([]);
  });
});
