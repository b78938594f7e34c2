import { describe, expect, it } from 'vitest';
import { describeSoak, MAX_RSS_GROWTH_PERCENT, runSoak, soakFailures, type SoakReport } from '../../scripts/soak.js';

/*
 * Issue 17, point 6: CI's short form of `npm run soak`. The same code as the
 * script (the hub as its own process, capacity, then half of it open loop),
 * with ~20 s of load instead of 10 minutes. It asserts what holds on any
 * machine: no request fails and the load generator keeps to its rate. Memory
 * growth and latency are benchmark figures on a shared 2-core runner: they
 * are checked to be reported, not judged (the full soak judges them).
 */

const finite = (value: number) => expect(Number.isFinite(value), `${value} is a finite number`).toBe(true);

describe('the soak, short form', () => {
  it('holds half its measured capacity with no errors, and reports rate, latency and memory', async () => {
    const lines: string[] = [];
    const report = await runSoak({ seconds: 16, warmupSeconds: 6, learners: 100, capacitySeconds: 5, sampleSeconds: 2, reportSeconds: 4 }, (line) => lines.push(line));
    const summary = describeSoak(report, 6).join('\n');

    expect(report.errors, summary).toBe(0);
    // The capacity run saturates the hub on purpose (a shared runner may then meet a member deadline): not judged.
    expect(report.capacity?.perSecond).toBeGreaterThan(0);
    expect(report.targetRate).toBeCloseTo((report.capacity?.perSecond ?? 0) / 2, 5);
    // Answered by the end, at about the target: a slow last answer on a busy runner stretches the time a little.
    expect(report.requests).toBeGreaterThanOrEqual(Math.floor(report.targetRate * 16));
    expect(report.achievedRate, summary).toBeGreaterThan(report.targetRate * 0.8);
    expect(report.achievedRate, summary).toBeLessThan(report.targetRate * 1.05);

    for (const value of [report.p50, report.p99, report.rss.startMiB, report.rss.warmMiB, report.rss.endMiB, report.rss.minMiB, report.rss.peakMiB, report.rss.growthPercent]) finite(value);
    expect(report.rss.warmMiB).toBeGreaterThan(0);
    expect(report.rss.samples.length).toBeGreaterThanOrEqual(8);
    expect(report.intervals.length).toBeGreaterThanOrEqual(4);
    for (const interval of report.intervals) for (const value of [interval.requests, interval.p50, interval.p99, interval.rssMiB]) finite(value);
    expect(lines.filter((line) => /^\s+\d+ s: \d+ requests/.test(line)).length).toBeGreaterThanOrEqual(4);
    expect(summary).toMatch(/RSS growth\s+[+-]\d+\.\d %/);

    expect(report.stop).toMatchObject({ exitCode: 0, signal: null });
  }, 240_000);
});

describe('what fails the soak', () => {
  const report = (errors: number, warmMiB: number, endMiB: number): SoakReport => ({
    targetRate: 10,
    achievedRate: 10,
    seconds: 600,
    requests: 6_000,
    errors,
    errorKinds: new Map(),
    p50: 1,
    p99: 2,
    intervals: [],
    rss: { startMiB: warmMiB, warmMiB, endMiB, minMiB: warmMiB, peakMiB: endMiB, growthPercent: ((endMiB - warmMiB) / warmMiB) * 100, windowSeconds: 30, samples: [] },
    stop: { exitCode: 0, signal: null, ms: 100 },
  });

  it.each([
    ['no errors and memory up 5 %', report(0, 600, 630), []],
    ['memory down after the warm-up', report(0, 600, 500), []],
    ['one error', report(1, 600, 600), ['1 requests failed']],
    [`memory up exactly ${MAX_RSS_GROWTH_PERCENT} %`, report(0, 600, 660), ['memory grew 10.0 % after the warm-up (limit: under 10 %)']],
    ['both', report(3, 500, 600), ['3 requests failed', 'memory grew 20.0 % after the warm-up (limit: under 10 %)']],
  ])('%s', (_name, figures, failures) => {
    expect(soakFailures(figures)).toEqual(failures);
  });
});
