import type { Logger } from '../../lib/log.js';

/*
 * A publication that stands while the next one is built (stale while
 * revalidate). Building the alliance statistics asks every member for its
 * counts and suppresses the merged tables: at the 300,000-learner scale that
 * takes several seconds, longer than the gateway's deadline for one call. So
 * no reader waits for a build once a publication stands: a reader who finds
 * it older than its time to live gets it at once and starts one rebuild in the
 * background; the new publication replaces it when complete. A failed rebuild
 * keeps the standing publication (it says when it was published) and is tried
 * again by the next reader. Only a reader before the first publication ever
 * stood waits, and the service builds that one as it starts (`warm`).
 */

export interface StandingOptions<T> {
  /** What is published: for the logs. */
  name: string;
  build(at: Date): Promise<T>;
  /** Read on every call: tests shorten it on a running service. */
  ttlMs(): number;
  now(): Date;
  logger: Logger;
}

export class StandingPublication<T> {
  private standing: { at: number; value: T } | null = null;
  private building: Promise<T> | null = null;

  constructor(private readonly options: StandingOptions<T>) {}

  /** The standing publication (a rebuild starts behind it when it is old), or the first one once built. */
  read(): Promise<T> {
    const standing = this.standing;
    if (!standing) return this.refresh();
    if (this.options.now().getTime() - standing.at >= this.options.ttlMs()) {
      // Its failure is logged by refresh; this reader has its answer.
      this.refresh().catch(() => undefined);
    }
    return Promise.resolve(standing.value);
  }

  /** Builds the next publication unless one is being built; resolves when it stands. */
  refresh(): Promise<T> {
    if (this.building) return this.building;
    const at = this.options.now();
    const started = performance.now();
    const building = this.options.build(at).then(
      (value) => {
        this.standing = { at: at.getTime(), value };
        this.options.logger.info(`${this.options.name} published`, { ms: Math.round(performance.now() - started) });
        return value;
      },
      (error: unknown) => {
        this.options.logger.warn(`${this.options.name} could not be built; ${this.standing ? 'the standing one is still served' : 'the next reader tries again'}`, {
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      },
    );
    this.building = building;
    building.then(
      () => this.settle(building),
      () => this.settle(building),
    );
    return building;
  }

  /** When the standing publication was built (epoch ms), or null before the first. */
  get publishedAt(): number | null {
    return this.standing?.at ?? null;
  }

  private settle(building: Promise<T>): void {
    if (this.building === building) this.building = null;
  }
}
