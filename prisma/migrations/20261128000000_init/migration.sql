-- Concord initial schema (mirrors prisma/schema.prisma; names follow Prisma's conventions).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE "IngestionStatus" AS ENUM ('PENDING', 'READY', 'FAILED');
CREATE TYPE "ItemSplit" AS ENUM ('TRAIN', 'VALIDATION', 'TEST');
CREATE TYPE "ModelStatus" AS ENUM ('TRAINING', 'EVALUATING', 'READY', 'ACTIVE', 'RETIRED', 'FAILED');
CREATE TYPE "TrainingRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'EDITOR', 'VIEWER');

CREATE TABLE "dataset" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "modalities" TEXT[],
    "dimension" INTEGER NOT NULL,
    "featurisers" JSONB NOT NULL DEFAULT '{}',
    "retrain_policy" JSONB NOT NULL DEFAULT '{"kind":"manual"}',
    "active_model_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "dataset_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dataset_dimension_check" CHECK ("dimension" > 0 AND "dimension" <= 16000),
    CONSTRAINT "dataset_modalities_check" CHECK (cardinality("modalities") >= 1)
);

CREATE TABLE "site" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "site_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "label" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    CONSTRAINT "label_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "label_index_check" CHECK ("index" >= 0)
);

CREATE TABLE "item" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "modality" TEXT NOT NULL,
    "external_key" TEXT,
    "content" BYTEA,
    "text" TEXT,
    "mime_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "checksum" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "split" "ItemSplit" NOT NULL DEFAULT 'TRAIN',
    "status" "IngestionStatus" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "item_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "item_size_check" CHECK ("size_bytes" >= 0),
    CONSTRAINT "item_checksum_check" CHECK ("checksum" ~ '^[0-9a-f]{64}$')
);

CREATE TABLE "item_label" (
    "item_id" UUID NOT NULL,
    "label_id" UUID NOT NULL,
    CONSTRAINT "item_label_pkey" PRIMARY KEY ("item_id", "label_id")
);

CREATE TABLE "feature_vector" (
    "id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "featuriser_id" TEXT NOT NULL,
    "featuriser_version" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "values" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "feature_vector_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "feature_vector_length_check" CHECK (octet_length("values") = 4 * "dimension")
);

CREATE TABLE "model" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'TRAINING',
    "dimension" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "prior" BYTEA,
    "prior_source" JSONB,
    "training_run_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "promoted_at" TIMESTAMPTZ(3),
    CONSTRAINT "model_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "model_dimension_check" CHECK ("dimension" > 0 AND "dimension" <= 16000)
);

CREATE TABLE "model_modality" (
    "model_id" UUID NOT NULL,
    "modality" TEXT NOT NULL,
    "featuriser_id" TEXT NOT NULL,
    "featuriser_version" TEXT NOT NULL,
    "weights" BYTEA NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "model_modality_pkey" PRIMARY KEY ("model_id", "modality")
);

CREATE TABLE "training_run" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "status" "TrainingRunStatus" NOT NULL DEFAULT 'QUEUED',
    "config" JSONB NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stage" TEXT,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "epoch_metrics" JSONB NOT NULL DEFAULT '[]',
    "prior_candidates" JSONB NOT NULL DEFAULT '[]',
    "selected_prior" JSONB,
    "logs" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "training_run_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "training_run_progress_check" CHECK ("progress" >= 0 AND "progress" <= 1)
);

CREATE TABLE "training_checkpoint" (
    "run_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "meta" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "training_checkpoint_pkey" PRIMARY KEY ("run_id", "key")
);

CREATE TABLE "embedding" (
    "id" BIGSERIAL NOT NULL,
    "item_id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "modality" TEXT NOT NULL,
    "vector" vector NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "embedding_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "label" TEXT NOT NULL,
    "dataset_ids" UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "dataset_name_key" ON "dataset"("name");
CREATE UNIQUE INDEX "dataset_active_model_id_key" ON "dataset"("active_model_id");
CREATE UNIQUE INDEX "site_dataset_id_name_key" ON "site"("dataset_id", "name");
CREATE UNIQUE INDEX "label_dataset_id_name_key" ON "label"("dataset_id", "name");
CREATE UNIQUE INDEX "label_dataset_id_index_key" ON "label"("dataset_id", "index");
CREATE UNIQUE INDEX "item_dataset_id_modality_checksum_key" ON "item"("dataset_id", "modality", "checksum");
CREATE UNIQUE INDEX "item_dataset_id_modality_external_key_key" ON "item"("dataset_id", "modality", "external_key");
CREATE INDEX "item_dataset_id_site_id_modality_idx" ON "item"("dataset_id", "site_id", "modality");
CREATE INDEX "item_dataset_id_updated_at_idx" ON "item"("dataset_id", "updated_at");
CREATE INDEX "item_label_label_id_idx" ON "item_label"("label_id");
CREATE UNIQUE INDEX "feature_vector_item_id_featuriser_id_featuriser_version_key" ON "feature_vector"("item_id", "featuriser_id", "featuriser_version");
CREATE UNIQUE INDEX "model_training_run_id_key" ON "model"("training_run_id");
CREATE UNIQUE INDEX "model_dataset_id_version_key" ON "model"("dataset_id", "version");
CREATE INDEX "training_run_dataset_id_queued_at_idx" ON "training_run"("dataset_id", "queued_at");
CREATE UNIQUE INDEX "embedding_model_id_item_id_key" ON "embedding"("model_id", "item_id");
CREATE INDEX "embedding_model_id_modality_site_id_idx" ON "embedding"("model_id", "modality", "site_id");
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

ALTER TABLE "dataset" ADD CONSTRAINT "dataset_active_model_id_fkey" FOREIGN KEY ("active_model_id") REFERENCES "model"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "site" ADD CONSTRAINT "site_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "label" ADD CONSTRAINT "label_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "item" ADD CONSTRAINT "item_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "item" ADD CONSTRAINT "item_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "item_label" ADD CONSTRAINT "item_label_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "item_label" ADD CONSTRAINT "item_label_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "label"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "feature_vector" ADD CONSTRAINT "feature_vector_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "model" ADD CONSTRAINT "model_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "model" ADD CONSTRAINT "model_training_run_id_fkey" FOREIGN KEY ("training_run_id") REFERENCES "training_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "model_modality" ADD CONSTRAINT "model_modality_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "training_run" ADD CONSTRAINT "training_run_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "training_checkpoint" ADD CONSTRAINT "training_checkpoint_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "training_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "embedding" ADD CONSTRAINT "embedding_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
