export { DbError, isDbError, type DbErrorCode } from './errors.ts';
export {
  openDatabase,
  DEFAULT_POOL_SIZE,
  type Database,
  type DatabaseConfig,
  type OpenOptions,
} from './open-database.ts';
export {
  migrate,
  readMigrations,
  checksumOf,
  DEFAULT_MIGRATIONS_DIR,
  type Migration,
  type MigrationResult,
} from './migrate.ts';
export type { DatabaseMode, SqlClient, SqlExecutor } from './sql.ts';
export {
  EmbeddingRepository,
  DEFAULT_EF_SEARCH,
  DEFAULT_MAX_SCAN_TUPLES,
  DEFAULT_HNSW_M,
  DEFAULT_HNSW_EF_CONSTRUCTION,
  MAX_SEARCH_PAGE,
  type EmbeddingInput,
  type HnswOptions,
  type SearchFilters,
  type SearchHit,
  type SearchInput,
  type SearchMode,
  type SearchPage,
} from './repositories/embedding-repository.ts';
export {
  HNSW_MAX_HALFVEC_DIMENSION,
  HNSW_MAX_VECTOR_DIMENSION,
  type VectorInput,
} from './vector-sql.ts';
export * from './generated/prisma/client.ts';
