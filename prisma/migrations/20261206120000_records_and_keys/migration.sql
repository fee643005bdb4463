-- Records and identity by key (issue #12).
--
-- Items are identified by (dataset, modality, external key): the same content under two keys is
-- two items, so the unique (dataset_id, modality, checksum) index goes. Checksums stay indexed
-- (plain) for the lookup that shares features between items of the same content, and stay unique
-- among keyless items, whose identity is still their content.
DROP INDEX "item_dataset_id_modality_checksum_key";
CREATE INDEX "item_dataset_id_modality_checksum_idx" ON "item"("dataset_id", "modality", "checksum");
CREATE UNIQUE INDEX "item_keyless_checksum_key" ON "item"("dataset_id", "modality", "checksum")
    WHERE "external_key" IS NULL;

-- A record: items that belong together (an image and its caption), named by the caller's key.
ALTER TABLE "item" ADD COLUMN "record_key" TEXT;
CREATE INDEX "item_dataset_id_record_key_idx" ON "item"("dataset_id", "record_key");
ALTER TABLE "bulk_ingestion_item" ADD COLUMN "record_key" TEXT;

-- The emoji demo linked an image to its name by metadata.pairId: that is now their record.
UPDATE "item"
SET "record_key" = "metadata"->>'pairId'
WHERE jsonb_typeof("metadata"->'pairId') = 'string'
  AND length("metadata"->>'pairId') BETWEEN 1 AND 200;
