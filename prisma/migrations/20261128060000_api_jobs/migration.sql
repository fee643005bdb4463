-- API and training jobs (issue 5): per-epoch training metrics keyed so a resumed run cannot write
-- an epoch twice, ingestion idempotency keys, the text featuriser state of a model's modality,
-- and signed webhooks with their delivery log.

ALTER TABLE "model_modality" ADD COLUMN "featuriser_state" BYTEA;

CREATE TABLE "training_epoch" (
    "run_id" UUID NOT NULL,
    "stage" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "metrics" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "training_epoch_pkey" PRIMARY KEY ("run_id", "stage", "unit", "epoch")
);

CREATE TABLE "ingestion_request" (
    "id" UUID NOT NULL,
    "dataset_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ingestion_request_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook" (
    "id" UUID NOT NULL,
    "dataset_id" UUID,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_delivery" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ingestion_request_dataset_id_idempotency_key_key" ON "ingestion_request"("dataset_id", "idempotency_key");
CREATE INDEX "webhook_delivery_webhook_id_created_at_idx" ON "webhook_delivery"("webhook_id", "created_at");

ALTER TABLE "training_epoch" ADD CONSTRAINT "training_epoch_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "training_run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ingestion_request" ADD CONSTRAINT "ingestion_request_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook" ADD CONSTRAINT "webhook_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
