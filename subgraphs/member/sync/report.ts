import type { SyncResult } from './engine.js';
import type { KindCounts } from './state.js';

/*
 * The summary of a run as the member's staff read it (stdout of
 * `npm run member:sync`): counts per record kind, what was held back and
 * why, and where the watermark stands. Ids are OEAPI ids, never names.
 */

const pad = (value: string | number, width: number): string => String(value).padStart(width);

function row(name: string, counts: KindCounts, extra: string): string {
  return `${name.padEnd(12)}${pad(counts.read, 6)}${pad(counts.inserted, 6)}${pad(counts.updated, 9)}${pad(counts.unchanged, 11)}${pad(counts.held, 11)}  ${extra}`.trimEnd();
}

/** The summary lines; `shown` caps the held-back problems listed (the rest are in sync_held). */
export function formatSyncReport(result: SyncResult, where: { source: string; target: string }, shown = 20): string[] {
  const seconds = ((result.finishedAt.getTime() - result.startedAt.getTime()) / 1000).toFixed(1);
  const { counts } = result;
  const lines = [
    `OEAPI sync of ${result.memberId} from ${where.source} into ${where.target}: ${result.status}, ${result.mode} run (${result.reason}), run ${result.runId}, ${seconds} s.`,
    'record        read   new  changed  unchanged  held back',
    row('offerings', counts.offerings, [counts.offerings.withdrawn ? `${counts.offerings.withdrawn} withdrawn` : '', counts.offerings.reinstated ? `${counts.offerings.reinstated} reinstated` : '', counts.offerings.outcomeSetsReplaced ? `${counts.offerings.outcomeSetsReplaced} outcome sets replaced` : ''].filter(Boolean).join(', ')),
    row('accounts', counts.accounts, counts.accounts.missing ? `${counts.accounts.missing} no longer at the source (kept)` : ''),
    row('enrolments', counts.enrolments, [counts.enrolments.notStudents ? `${counts.enrolments.notStudents} not students (skipped)` : '', counts.enrolments.missing ? `${counts.enrolments.missing} no longer at the source (kept)` : ''].filter(Boolean).join(', ')),
    row('results', counts.achievements, [counts.achievements.updated ? `${counts.achievements.updated} corrected (revision raised)` : '', counts.achievements.keptWithoutResult ? `${counts.achievements.keptWithoutResult} no longer in the source (kept)` : ''].filter(Boolean).join(', ')),
  ];
  if (counts.rejected > 0) lines.push(`${counts.rejected} record${counts.rejected === 1 ? '' : 's'} left out by the client: they break the OEAPI spec (listed below).`);
  const warnings = Object.entries(counts.warnings).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (warnings.length > 0) lines.push(`Mapping warnings (written anyway): ${warnings.map(([code, count]) => `${code} ${count}`).join(', ')}.`);
  if (result.held.length > 0) {
    const own = result.held.filter((record) => record.runId === result.runId).length;
    lines.push(`Held back, not written: ${result.held.length} record${result.held.length === 1 ? '' : 's'} (${own} met again by this run); all of them are in table sync_held.`);
    const groups = new Map<string, number>();
    for (const record of result.held) for (const problem of record.problems) {
      const key = `${record.kind} ${problem.field}${problem.code ? ` (${problem.code})` : ''}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    lines.push(`  By field: ${[...groups].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([key, count]) => `${key} ${count}`).join(', ')}.`);
    // Parents first: a held offering or person explains the associations held after it.
    const order = ['organisation', 'course', 'outcome', 'offering', 'person', 'association'];
    const sorted = [...result.held].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.sourceId.localeCompare(b.sourceId));
    const problems = sorted.flatMap((record) => record.problems.map((problem) => `  ${record.kind} ${record.sourceId}${record.hubId ? ` (${record.hubId})` : ''} field "${problem.field}": ${problem.reason}`));
    lines.push(...problems.slice(0, shown));
    if (problems.length > shown) lines.push(`  … and ${problems.length - shown} more.`);
  }
  if (result.error) {
    lines.push(`Error: ${result.error.message}`);
    lines.push(`Nothing written is lost and the watermark stays ${result.watermark ? `at ${result.watermark.toISOString()}` : 'unset (the next run sweeps everything)'}; the next run resumes this one.`);
  } else if (result.nextWatermark) {
    lines.push(`Next run: changes after ${result.nextWatermark.toISOString()} (the source's clock at the start of this run, minus the overlap).`);
  }
  return lines;
}
