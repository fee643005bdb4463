/**
 * A job outcome pg-boss cannot record (the database is down) must not kill the process: pg-boss
 * 10 drops the promise of `complete`/`fail` after a work handler settles.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { guardJobOutcomes } from './job-outcomes.ts';

type ManagerClass = new (
  db: { executeSql: () => Promise<never> },
  config: { schema: string },
) => {
  complete(name: string, id: string): Promise<unknown>;
  fail(name: string, id: string): Promise<unknown>;
};

describe('pg-boss job outcomes while the database is unreachable', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    unhandled.length = 0;
  });

  it('a dropped complete/fail is logged, not an unhandled rejection; an awaited one still rejects', async () => {
    const logged: string[] = [];
    guardJobOutcomes((message) => logged.push(message));
    process.on('unhandledRejection', onUnhandled);
    const Manager = createRequire(import.meta.url)('pg-boss/src/manager.js') as ManagerClass;
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const manager = new Manager(
      { executeSql: () => Promise.reject(refused) },
      { schema: 'pgboss' },
    );
    const id = '00000000-0000-4000-8000-000000000000';
    // As pg-boss's own worker loop does: called and not awaited.
    void manager.complete('training-unit', id);
    void manager.fail('training-unit', id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
    expect(logged).toEqual([
      'pg-boss could not record a job as completed; it is retried when it expires',
      'pg-boss could not record a job as failed; it is retried when it expires',
    ]);
    await expect(manager.fail('training-unit', id)).rejects.toThrow(/ECONNREFUSED/);
  });
});
