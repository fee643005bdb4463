-- Bulk ingestion as a job (issues 5 and 7): the validated request is staged in the database, so any
-- worker on any machine can run it, and each staged item's outcome is written in the same
-- transaction as the item it created, so a retried job skips what is done and redoes the rest.

CREATE TYPE "BulkIngestionStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE TYPE "BulkItemStatus" AS ENUM ('PENDING', 'CREATED', 'DUPLICATE', 'FAILED');

CREATE TABLE "bulk_ingestion" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "status" "BulkIngestionStatus" NOT NULL DEFAULT 'QUEUED',
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "bulk_ingestion_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "bulk_ingestion_item" (
    "ingestion_id" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "key" TEXT,
    "site_id" UUID NOT NULL,
    "labels" TEXT[],
    "modality" TEXT,
    "mime_type" TEXT,
    "split" "ItemSplit",
    "metadata" JSONB,
    "text" TEXT,
    "content" BYTEA,
    "status" "BulkItemStatus" NOT NULL DEFAULT 'PENDING',
    "item_id" UUID,
    "error_code" TEXT,
    "error" TEXT,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "bulk_ingestion_item_pkey" PRIMARY KEY ("ingestion_id", "index")
);

CREATE UNIQUE INDEX "bulk_ingestion_dataset_id_idempotency_key_key" ON "bulk_ingestion"("dataset_id", "idempotency_key");
CREATE INDEX "bulk_ingestion_dataset_id_queued_at_idx" ON "bulk_ingestion"("dataset_id", "queued_at");
CREATE INDEX "bulk_ingestion_item_ingestion_id_status_index_idx" ON "bulk_ingestion_item"("ingestion_id", "status", "index");
CREATE INDEX "bulk_ingestion_item_item_id_idx" ON "bulk_ingestion_item"("item_id");

ALTER TABLE "bulk_ingestion" ADD CONSTRAINT "bulk_ingestion_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "bulk_ingestion_item" ADD CONSTRAINT "bulk_ingestion_item_ingestion_id_fkey" FOREIGN KEY ("ingestion_id") REFERENCES "bulk_ingestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "bulk_ingestion_item" ADD CONSTRAINT "bulk_ingestion_item_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "item"("id") ON DELETE SET NULL ON UPDATE CASCADE;
