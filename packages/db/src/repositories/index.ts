/** Every Prisma-backed repository over one database, built once per process. */
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { SqlExecutor } from '../sql.ts';
import { ApiKeyRepository } from './api-key-repository.ts';
import { BulkIngestionRepository } from './bulk-ingestion-repository.ts';
import { DatasetRepository } from './dataset-repository.ts';
import { HeldOutRepository } from './held-out-repository.ts';
import { IngestionRepository } from './ingestion-repository.ts';
import { ItemCountRepository } from './item-count-repository.ts';
import { ItemRepository } from './item-repository.ts';
import { ModelRepository } from './model-repository.ts';
import { TrainingRunRepository } from './training-run-repository.ts';
import { WebhookRepository } from './webhook-repository.ts';

export interface Repositories {
  datasets: DatasetRepository;
  items: ItemRepository;
  heldOut: HeldOutRepository;
  itemCounts: ItemCountRepository;
  models: ModelRepository;
  runs: TrainingRunRepository;
  apiKeys: ApiKeyRepository;
  ingestions: IngestionRepository;
  bulkIngestions: BulkIngestionRepository;
  webhooks: WebhookRepository;
}

export function createRepositories(db: { prisma: PrismaClient; sql: SqlExecutor }): Repositories {
  return {
    datasets: new DatasetRepository(db.prisma),
    items: new ItemRepository(db.prisma),
    heldOut: new HeldOutRepository(db.sql),
    itemCounts: new ItemCountRepository(db.sql),
    models: new ModelRepository(db.prisma),
    runs: new TrainingRunRepository(db.prisma, db.sql),
    apiKeys: new ApiKeyRepository(db.prisma),
    ingestions: new IngestionRepository(db.prisma),
    bulkIngestions: new BulkIngestionRepository(db.prisma),
    webhooks: new WebhookRepository(db.prisma),
  };
}
