/**
 * pg-boss 10.4.2 (the last 10.x) records a work handler's outcome without awaiting it: in
 * `Manager.watch`, `this.complete(...)` and `this.fail(...)` are called and dropped. When the
 * database is unreachable at that moment (a PostgreSQL restart or failover), the rejection is
 * unhandled and kills the worker process — seen in the postgres-restart fault test: a training
 * unit failed while the server was down, `fail` got ECONNREFUSED, and the worker exited.
 *
 * This wraps the two methods on Manager's prototype (before any PgBoss is constructed, since
 * PgBoss copies method references at construction) so that their promise always has a handler
 * that logs the failure. A caller that awaits them still gets the rejection. The job whose
 * outcome was lost stays active, and pg-boss retries it once it expires, like a dead worker's.
 */
import { createRequire } from 'node:module';

type Outcome = (this: unknown, ...args: unknown[]) => Promise<unknown>;
type ManagerPrototype = Record<'complete' | 'fail', Outcome>;

const WRAPPED = Symbol.for('concord.pg-boss.job-outcomes');
const PAST = { complete: 'completed', fail: 'failed' } as const;

export function guardJobOutcomes(log: (message: string, error: unknown) => void): void {
  const Manager = createRequire(import.meta.url)('pg-boss/src/manager.js') as {
    prototype: ManagerPrototype & { [WRAPPED]?: true };
  };
  const prototype = Manager.prototype;
  if (prototype[WRAPPED]) return;
  prototype[WRAPPED] = true;
  for (const name of ['complete', 'fail'] as const) {
    const original = prototype[name];
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      result.catch((error: unknown) =>
        log(
          `pg-boss could not record a job as ${PAST[name]}; it is retried when it expires`,
          error,
        ),
      );
      return result;
    };
  }
}
