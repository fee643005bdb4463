-- The promotion gate's verdict on a model (issue 18): candidate and active model evaluated on the
-- same held-out items, the paired-bootstrap interval of the mAP difference, the margin and the
-- verdict (PROMOTE, REFUSE, NOT_JUDGED, FIRST_MODEL, FORCED). Null until the model is judged.

ALTER TABLE "model" ADD COLUMN "gate" JSONB;
