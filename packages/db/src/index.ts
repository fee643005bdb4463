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
  type ItemEmbeddingRef,
  type SearchFilters,
  type SearchHit,
  type SearchInput,
  type SearchMode,
  type SearchPage,
} from './repositories/embedding-repository.ts';
export { decodeSearchCursor, type SearchCursor } from './repositories/search-cursor.ts';
export {
  HNSW_MAX_HALFVEC_DIMENSION,
  HNSW_MAX_VECTOR_DIMENSION,
  type VectorInput,
} from './vector-sql.ts';
export { createRepositories, type Repositories } from './repositories/index.ts';
export type { Page, PageArgs } from './repositories/common.ts';
export {
  DatasetRepository,
  type DatasetInput,
  type DatasetPatch,
} from './repositories/dataset-repository.ts';
export {
  ItemRepository,
  toFloat32,
  type FeatureVectorInfo,
  type ItemFilter,
  type ItemPatch,
  type ItemSummary,
  type NewItem,
  type TrainingItem,
} from './repositories/item-repository.ts';
export { HeldOutRepository, type HeldOutItem } from './repositories/held-out-repository.ts';
export {
  ModelRepository,
  type ModalityInput,
  type NewModel,
} from './repositories/model-repository.ts';
export { TrainingRunRepository, type RunProgress } from './repositories/training-run-repository.ts';
export { ApiKeyRepository, type NewApiKey } from './repositories/api-key-repository.ts';
export { IngestionRepository } from './repositories/ingestion-repository.ts';
export {
  BulkIngestionRepository,
  type BulkItemResult,
  type BulkOutcome,
  type NewBulkIngestion,
  type StagedItem,
} from './repositories/bulk-ingestion-repository.ts';
export {
  ItemCountRepository,
  type DatasetCounts,
  type SiteCount,
  type LabelCount,
  type ModalityCount,
} from './repositories/item-count-repository.ts';
export { WebhookRepository } from './repositories/webhook-repository.ts';
export * from './generated/prisma/client.ts';
