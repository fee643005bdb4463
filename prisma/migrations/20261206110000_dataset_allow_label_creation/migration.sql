-- Issue 18: a label unknown to the dataset is refused at ingestion unless the request or the
-- dataset allows creating labels (a mistyped label used to become a new class silently).
-- Existing datasets keep refusing by default, like new ones; an operator opts in per dataset.

ALTER TABLE "dataset" ADD COLUMN "allow_label_creation" BOOLEAN NOT NULL DEFAULT false;
