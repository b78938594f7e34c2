import { Counter, Gauge } from 'prom-client';
import { createServiceMetrics, type ServiceMetrics } from '../../lib/metrics.js';
import type { CohortJobs } from './cohort.js';

/**
 * The issuance service's metrics: the common ones (lib/metrics.ts) and
 * cohort issuance's progress and throughput, read from the jobs at each
 * scrape (nothing is counted twice, and a scrape costs one pass over the
 * jobs kept, at most a few).
 */
export function createIssuanceMetrics(cohorts: CohortJobs): ServiceMetrics {
  const metrics = createServiceMetrics('issuance');
  new Gauge({
    name: 'hub_issuance_cohort_jobs_running',
    help: 'Cohort issuance jobs running now.',
    registers: [metrics.registry],
    collect() {
      this.set(cohorts.progress().running);
    },
  });
  new Gauge({
    name: 'hub_issuance_cohort_remaining',
    help: 'Achievements the running cohort jobs still have to go through (of the pages counted so far).',
    registers: [metrics.registry],
    collect() {
      this.set(cohorts.progress().remaining);
    },
  });
  new Counter({
    name: 'hub_issuance_cohort_jobs_total',
    help: 'Cohort issuance jobs since the service started, by state reached (started, completed, failed).',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      const { totals } = cohorts.progress();
      this.reset();
      this.inc({ state: 'started' }, totals.started);
      this.inc({ state: 'completed' }, totals.completed);
      this.inc({ state: 'failed' }, totals.failed);
    },
  });
  new Counter({
    name: 'hub_issuance_cohort_credentials_total',
    help: 'Achievements cohort jobs went through, by result: issued, already issued, refused (rate() is the throughput).',
    labelNames: ['result'],
    registers: [metrics.registry],
    collect() {
      const { totals } = cohorts.progress();
      this.reset();
      this.inc({ result: 'issued' }, totals.issued);
      this.inc({ result: 'already_issued' }, totals.alreadyIssued);
      this.inc({ result: 'refused' }, totals.refused);
    },
  });
  return metrics;
}
