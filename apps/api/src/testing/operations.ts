/** GraphQL operations the API tests (and docs/graphql.md) use. */
export const CREATE_DATASET = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) { dataset { id name dimension } errors { code message field } }
}`;

export const CREATE_SITE = `mutation($datasetId: ID!, $name: String!) {
  createSite(datasetId: $datasetId, input: { name: $name }) { site { id name } errors { code message } }
}`;

export const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) {
    created duplicates failed
    results { index key status errorCode error item { id modality split } }
    errors { code message field }
  }
}`;

export const START_RUN = `mutation($datasetId: ID!, $config: TrainingConfigInput) {
  startTrainingRun(datasetId: $datasetId, config: $config) {
    run { id status } errors { code message field }
  }
}`;

export const RUN = `query($id: ID!) {
  trainingRun(id: $id) {
    id status stage epoch progress error attempts
    epochs { stage unit epoch metrics }
    selectedPrior priorCandidates logs
    model { id version status meanMap metrics embeddingCount }
  }
}`;

export const SEARCH = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality, $first: Int, $after: String, $mode: SearchMode, $filters: SearchFilters) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: $first, after: $after, mode: $mode, filters: $filters) {
    model { id version }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { score item { id modality externalKey } site { name } labels { name } model { id version } } }
  }
}`;

export const DATASET = `query($id: ID!) {
  dataset(id: $id) { id activeModel { id version status } labels { id name index } sites { id name } itemCount }
}`;

export const PROMOTE = `mutation($id: ID!, $force: Boolean) {
  promoteModel(modelId: $id, force: $force) { model { id version status } errors { code message } }
}`;

export const ROLLBACK = `mutation($id: ID!) {
  rollbackModel(datasetId: $id) { model { id version status } errors { code message } }
}`;
