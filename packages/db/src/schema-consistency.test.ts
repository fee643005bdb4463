/**
 * Prisma Migrate cannot run on these machines, so migrations are written by hand; this test
 * catches drift between prisma/schema.prisma (as the generated client sees it) and the tables
 * the SQL migrations actually create.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './open-database.ts';
import { TEST_DATABASE_MODES } from './testing.ts';

/** Columns of `Unsupported(...)` types, which the client does not list. */
const UNSUPPORTED_COLUMNS = new Set(['embedding.vector']);

interface RuntimeField {
  name: string;
  kind: string;
  dbName?: string;
}
interface RuntimeModel {
  dbName: string | null;
  fields: RuntimeField[];
}

function schemaColumns(db: Database): Map<string, Set<string>> {
  const dataModel = (
    db.prisma as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } }
  )._runtimeDataModel;
  const tables = new Map<string, Set<string>>();
  for (const [name, model] of Object.entries(dataModel.models)) {
    const columns = model.fields
      .filter((field) => field.kind === 'scalar' || field.kind === 'enum')
      .map((field) => field.dbName ?? field.name);
    tables.set(model.dbName ?? name, new Set(columns));
  }
  return tables;
}

describe.each(TEST_DATABASE_MODES)('schema.prisma and the migrations agree on $name', (mode) => {
  let db: Database;
  beforeAll(async () => {
    db = await mode.open();
  });
  afterAll(() => db.close());

  it('every model has its table with exactly the columns the schema declares', async () => {
    const expected = schemaColumns(db);
    expect(expected.size).toBeGreaterThan(5);
    const rows = await db.sql.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual = new Map<string, Set<string>>();
    for (const row of rows) {
      if (UNSUPPORTED_COLUMNS.has(`${row.table_name}.${row.column_name}`)) continue;
      const columns = actual.get(row.table_name) ?? new Set<string>();
      columns.add(row.column_name);
      actual.set(row.table_name, columns);
    }
    const sorted = (map: Map<string, Set<string>>) =>
      Object.fromEntries([...map].sort().map(([table, columns]) => [table, [...columns].sort()]));
    expect(sorted(actual)).toEqual(sorted(expected));
  });
});
