/** A GraphQL-over-HTTP client without keep-alive, the operations the tests use, and polling. */
import { request } from 'node:http';

export interface GqlResponse<T> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(
  url: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(key ? { authorization: `Bearer ${key}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  const parsed = JSON.parse(text) as { data: T; errors?: GqlResponse<T>['errors'] };
  return { status, data: parsed.data, ...(parsed.errors ? { errors: parsed.errors } : {}) };
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
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
