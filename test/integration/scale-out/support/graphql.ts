/** A GraphQL-over-HTTP client without keep-alive, the operations the tests use, and polling. */
import { gql as sharedGql, waitFor as sharedWaitFor, type GqlResponse } from '@concord/api/testing';

export type { GqlResponse };

/** This suite's argument order (key before the operation) over the shared client. */
export function gql<T>(
  url: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResponse<T>> {
  return sharedGql<T>(url, query, variables, key);
}

/** Polls until `check` returns a value; a check that throws (a process restarting) means "not yet". */
export function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
): Promise<T> {
  return sharedWaitFor(check, timeoutMs, what, { intervalMs, retryErrors: true });
}

export const CREATE_DATASET = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) { dataset { id } errors { code message } }
}`;

export const CREATE_SITE = `mutation($datasetId: ID!, $name: String!) {
  createSite(datasetId: $datasetId, input: { name: $name }) { site { id } errors { code message } }
}`;

export const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) {
    created duplicates failed
    results { status errorCode error }
    errors { code message }
  }
}`;

export const START_RUN = `mutation($datasetId: ID!, $config: TrainingConfigInput) {
  startTrainingRun(datasetId: $datasetId, config: $config) {
    run { id status } errors { code message }
  }
}`;

export const RUN = `query($id: ID!) {
  trainingRun(id: $id) {
    id status stage error attempts
    epochs { stage unit epoch metrics }
    logs
    model { id version status embeddingCount }
  }
}`;

export const DATASET = `query($id: ID!) {
  dataset(id: $id) { id itemCount activeModel { id version status } }
}`;

export const SEARCH = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality, $first: Int, $mode: SearchMode) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: $first, mode: $mode) {
    model { id version }
    edges { node { score item { id } model { id version } } }
  }
}`;

export interface RunView {
  id: string;
  status: string;
  stage: string | null;
  error: string | null;
  attempts: number;
  epochs: { stage: string; unit: string; epoch: number; metrics: { worker?: string } }[];
  logs: { at: string; level: string; message: string }[];
  model: { id: string; version: number; status: string; embeddingCount: number } | null;
}

export interface SearchView {
  search: {
    model: { id: string; version: number } | null;
    edges: {
      node: { score: number; item: { id: string }; model: { id: string; version: number } };
    }[];
  };
}

export const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
