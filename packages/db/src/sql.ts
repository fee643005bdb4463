/**
 * One small SQL interface over both database modes, used by the migration runner and the vector
 * repositories; ordinary CRUD goes through the Prisma client instead.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';

export type DatabaseMode = 'embedded' | 'server';

export interface SqlExecutor {
  /** One statement with `$n` parameters; returns its rows. */
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  /** Several statements without parameters (a migration script). */
  exec(script: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  readonly mode: DatabaseMode;
  /** Runs `fn` inside BEGIN … COMMIT on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export function pgliteSqlClient(db: PGlite): SqlClient {
  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(text, [...params]);
      return result.rows;
    },
    async exec(script: string) {
      await target.exec(script);
    },
  });
  return {
    mode: 'embedded',
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
  };
}

export function pgSqlClient(pool: pg.Pool): SqlClient {
  const executor = (target: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const result = await target.query<Row>(text, [...params]);
      return result.rows;
    },
    async exec(script: string) {
      await target.query(script);
    },
  });
  return {
    mode: 'server',
    ...executor(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
