/**
 * Valid arguments for any root field, built from the schema: ids name the fixture's real objects,
 * input objects get their required fields (plus the hints below where a value must make sense).
 */
import { randomUUID } from 'node:crypto';
import { CLASSES, FIXTURE_DIMENSION, TINY_CONFIG, type Fixture } from './fixture.ts';
import { valueFor, type RootField } from './schema.ts';

const ID_OF: Record<string, (f: Fixture) => string> = {
  dataset: (x) => x.datasetId,
  site: (x) => x.siteId,
  label: (x) => x.labelId,
  item: (x) => x.textItemId,
  model: (x) => x.modelId,
  trainingRun: (x) => x.runId,
  apiKey: (x) => x.spareKeyId,
  webhook: (x) => x.webhookId,
  // The fixture holds no bulk ingestion: an unknown one (the matrix names a real one itself).
  bulkIngestion: () => randomUUID(),
};

/** Valid arguments for a field, from the schema plus the hints below. */
export function validArgs(root: RootField, f: Fixture): Record<string, unknown> {
  const unique = () => `valid ${randomUUID().slice(0, 8)}`;
  const hints: Record<string, () => unknown> = {
    datasetId: () => f.datasetId,
    modelId: () => f.modelId,
    itemId: () => f.textItemId,
    'CreateDatasetInput.name': unique,
    'CreateDatasetInput.dimension': () => FIXTURE_DIMENSION,
    'UpdateDatasetInput.description': () => 'described by the matrix',
    SiteInput: () => ({ name: unique() }),
    'Mutation.createLabel.name': unique,
    'Mutation.renameLabel.name': unique,
    'IngestItemsInput.datasetId': () => f.datasetId,
    'IngestItemsInput.items': () => [{ site: f.siteId, labels: [CLASSES[0]], text: unique() }],
    'StartBulkIngestionInput.datasetId': () => f.datasetId,
    'StartBulkIngestionInput.items': () => [
      { site: f.siteId, labels: [CLASSES[0]], text: unique() },
    ],
    'UpdateItemInput.split': () => 'TRAIN',
    SearchQueryInput: () => ({
      vector: Array.from({ length: FIXTURE_DIMENSION }, (_, i) => (i === 0 ? 1 : 0)),
    }),
    'Mutation.startTrainingRun.config': () => TINY_CONFIG,
    'CreateApiKeyInput.role': () => 'VIEWER',
    'CreateApiKeyInput.datasetIds': () => [f.datasetId],
    'CreateWebhookInput.url': () => 'http://127.0.0.1:9/matrix',
    'CreateWebhookInput.events': () => ['run.finished'],
    'CreateWebhookInput.datasetId': () => f.datasetId,
  };
  const entity = root.field.name
    .replace(/^(update|delete|rename|revoke|cancel|promote|create)/, '')
    .replace(/Progress$/, '');
  const kind = entity.charAt(0).toLowerCase() + entity.slice(1);
  const counter = { n: 0 };
  const out: Record<string, unknown> = {};
  for (const arg of root.field.args) {
    const path = `${root.name}.${arg.name}`;
    if (arg.name === 'id') {
      const id = ID_OF[kind];
      if (!id) throw new Error(`${root.name}: which object does "id" name? Add it to ID_OF.`);
      out.id = id(f);
    } else if (hints[path] || hints[arg.name] || arg.type.toString().endsWith('!')) {
      out[arg.name] = (
        hints[path] ??
        hints[arg.name] ??
        (() => valueFor(arg.type, path, hints, counter))
      )();
    }
  }
  return out;
}
