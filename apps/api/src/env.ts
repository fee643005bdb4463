/** The API's configuration, parsed once from the environment; every variable is in .env.example. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseOrigins } from './cors.ts';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const schema = z.object({
  /** PostgreSQL URL for server mode; unset = embedded PGlite. */
  DATABASE_URL: z.url().optional(),
  /** Folder of the embedded database. */
  CONCORD_DATA_DIR: z.string().min(1).default(resolve(REPO_ROOT, '.data')),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Largest accepted HTTP body (JSON or multipart), bytes. */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  /** Largest single uploaded or base64 item, bytes. */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** Largest decoded image, pixels (decompression-bomb limit). */
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).default(40_000_000),
  /** Items per ingestion call. */
  MAX_INGEST_BATCH: z.coerce.number().int().min(1).default(256),
  /** Items per bulk ingestion (`startBulkIngestion`). */
  MAX_BULK_INGEST_ITEMS: z.coerce.number().int().min(1).default(10_000),
  /** Content bytes (decoded files, base64 and UTF-8 texts) of one bulk ingestion together. */
  MAX_BULK_INGEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** Staged items a bulk-ingestion job featurises and stores between progress updates. */
  INGESTION_CHUNK_SIZE: z.coerce.number().int().min(1).max(1000).default(16),
  /** A bulk-ingestion job stops at the first chunk boundary past this and continues in a new job. */
  INGESTION_SLICE_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * A bulk-ingestion job still active after this long is expired and retried on any worker (its
   * worker died); keep it well above INGESTION_SLICE_SECONDS plus one chunk.
   */
  INGESTION_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(900),
  INGESTION_JOB_RETRY_LIMIT: z.coerce.number().int().min(0).default(3),
  /** Largest page of any connection. */
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(10),
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(20_000),
  /**
   * Image featuriser of datasets created without a choice, built into nsfwjs: mobilenet_v2
   * (1280-d) or inception_v3 (2048-d). A dataset keeps the one it was created with.
   */
  IMAGE_FEATURISER: z.enum(['mobilenet_v2', 'inception_v3']).default('mobilenet_v2'),
  /**
   * Folder of user image models a dataset may be created with: `<dir>/<name>/model.json` (TF.js
   * layers or graph model + weight shards) is offered as `user/<name>`. Relative to the
   * repository root; unset = none.
   */
  CONCORD_MODELS_DIR: z
    .string()
    .min(1)
    .optional()
    .transform((dir) => (dir === undefined ? null : resolve(REPO_ROOT, dir))),
  /**
   * Worker threads that run the image CNN (ingestion and image queries), off the event loop that
   * answers requests; 0 runs it on the event loop.
   */
  IMAGE_FEATURISER_THREADS: z.coerce.number().int().min(0).max(16).default(1),
  /**
   * Image batches that may wait for a featuriser thread, per lane (image queries, which go
   * first, and ingestion); past this an image query is answered SERVICE_BUSY (HTTP 503) and an
   * upload's items fail with a retryable reason.
   */
  IMAGE_FEATURISER_QUEUE: z.coerce.number().int().min(1).max(100_000).default(256),
  /** Start the job worker in this process (API + worker together). */
  RUN_WORKER: bool.default(true),
  /** Serve the API in this process (false = worker only). */
  RUN_API: bool.default(true),
  /**
   * A training job (plan, unit slice, assemble) not finished after this long is expired and
   * retried on any worker, from its checkpoint (pg-boss 10 has no heartbeat). Keep it well above
   * TRAINING_SLICE_SECONDS plus one epoch, and above the time to embed every item.
   */
  TRAINING_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(1800),
  /** A training unit stops at the first epoch boundary past this and continues in a new job. */
  TRAINING_SLICE_SECONDS: z.coerce.number().int().min(1).default(600),
  /** Embeddings written per statement when a finished run embeds every item. */
  EMBED_BATCH_SIZE: z.coerce.number().int().min(1).default(500),
  TRAINING_JOB_RETRY_LIMIT: z.coerce.number().int().min(0).default(3),
  /**
   * Promotion gate: a candidate is refused only when the upper bound of the paired-bootstrap
   * interval of mAP(candidate) − mAP(active) on the same held-out items is below −margin.
   */
  PROMOTION_MARGIN: z.coerce.number().min(0).max(1).default(0.01),
  /** Confidence of that interval (two-sided). */
  PROMOTION_CONFIDENCE: z.coerce.number().gt(0).lt(1).default(0.95),
  /** Bootstrap resamples of the held-out queries. */
  PROMOTION_BOOTSTRAP_SAMPLES: z.coerce.number().int().min(100).max(100_000).default(2000),
  /**
   * Fewer shared held-out items than this in any modality: the gate does not judge (verdict
   * NOT_JUDGED) and the candidate is promoted, saying so.
   */
  PROMOTION_MIN_TEST_ITEMS: z.coerce.number().int().min(1).default(50),
  /** How often pg-boss looks for expired jobs and due cron schedules. */
  JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).default(30),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  /** Webhook delivery: attempts and the first retry delay (doubles each time). */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  WEBHOOK_RETRY_SECONDS: z.coerce.number().int().min(1).default(10),
  /** The dashboard's address, linked from the API's landing page; unset = not linked. */
  DASHBOARD_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Serve the Apollo Federation 2 subgraph schema (entities Dataset, Item, Model with @key). */
  FEDERATION_SUBGRAPH: bool.default(false),
  /** Browser origins allowed to call the API cross-origin (comma-separated, or *); none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseOrigins(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * The emoji demo corpus on the first start of an empty database: `auto` seeds the embedded
   * database only, `on` also a PostgreSQL server, `off` never.
   */
  DEMO_CORPUS: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Seed only the first N emoji of each of the 9 categories (tests); unset = all 1,906. */
  DEMO_CORPUS_PER_CATEGORY: z.coerce.number().int().min(1).optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
