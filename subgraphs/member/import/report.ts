import type { FileReport, ImportReport } from './importer.js';
import type { RowError } from './stage.js';

/*
 * The import's report in words: a table of counts per file, then each
 * refused file's errors as <file>:<line> field "<name>": <reason>, the form
 * editors and spreadsheets can jump to.
 */

/** `results.csv:1234 field "grade": …` (or without the field when the row as a whole is wrong). */
export function formatRowError(file: string, error: RowError): string {
  return `${file}:${error.line}${error.field ? ` field "${error.field}"` : ''}: ${error.reason}`;
}

const COLUMNS = ['read', 'inserted', 'updated', 'unchanged', 'rejected'] as const;

function statusText(report: FileReport): string {
  return report.status === 'valid' ? 'would import' : report.status;
}

function details(report: FileReport): string[] {
  const lines: string[] = [];
  if (report.status === 'skipped') lines.push(`${report.file}: skipped: ${report.skipped}.`);
  if (report.status === 'rejected') {
    const rows = report.rejected > 0 ? ` (${report.rejected.toLocaleString('en')} row${report.rejected === 1 ? '' : 's'} with errors)` : '';
    lines.push(`${report.file}: rejected${rows}; nothing from this file was written.`);
    if (report.fileError) lines.push(`  ${report.file}${report.fileError.line !== null ? `:${report.fileError.line}` : ''}: ${report.fileError.reason}`);
    for (const error of report.errors) lines.push(`  ${formatRowError(report.file, error)}`);
    if (report.moreErrors > 0) lines.push(`  … and ${report.moreErrors.toLocaleString('en')} more error${report.moreErrors === 1 ? '' : 's'}`);
  }
  for (const warning of report.warnings) lines.push(`${report.file}: warning: ${warning}`);
  return lines;
}

/** The report as lines of text for a terminal. */
export function formatImportReport(report: ImportReport, database: string): string[] {
  const header = ['file', 'status', ...COLUMNS];
  const rows = report.files.map((file) => [file.file, statusText(file), ...COLUMNS.map((column) => file[column].toLocaleString('en'))]);
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] as string).length)));
  const render = (cells: string[]) => cells.map((cell, index) => (index < 2 ? cell.padEnd(widths[index] as number) : cell.padStart(widths[index] as number))).join('  ').trimEnd();
  const lines = [
    `${report.dryRun ? 'Dry run for' : 'Import into'} ${report.memberId} (${database}), ${report.seconds.toFixed(1)} s${report.dryRun ? ': nothing was written.' : '.'}`,
    render(header),
    ...rows.map(render),
  ];
  for (const file of report.files) lines.push(...details(file));
  const ignored = report.ignored.map((file) => `${file.name}${file.hint ? ` (${file.hint})` : ''}`);
  if (ignored.length > 0) lines.push(`Ignored (not an import file name): ${ignored.join('; ')}`);
  lines.push(report.ok ? (report.dryRun ? 'Every file would import.' : 'Every file imported.') : 'Some files were not imported: fix the errors above and run the import again (imported files will show as unchanged).');
  return lines;
}
