/**
 * The dashboard's GraphQL client: typed documents from src/generated/graphql.ts sent to the
 * app's own /api/graphql route (which forwards to the API), with the signed-in key attached.
 * Multipart uploads (GraphQL multipart request spec) go through XMLHttpRequest for progress.
 */
import type { TypedDocumentString } from '../generated/graphql.ts';
import { readApiKey } from './session-storage.ts';

export const GRAPHQL_PATH = '/api/graphql';

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function unwrap<T>(status: number, body: GraphQLResponse<T> | null): T {
  const first = body?.errors?.[0];
  if (first) {
    throw new GraphQLRequestError(first.message, first.extensions?.code ?? null, status);
  }
  if (!body?.data) throw new GraphQLRequestError(`The API answered ${status}.`, null, status);
  return body.data;
}

function authHeaders(key: string | null): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { key?: string | null; signal?: AbortSignal } = {},
): Promise<TResult> {
  const key = options.key === undefined ? readApiKey() : options.key;
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(key) },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new GraphQLRequestError('The dashboard cannot reach the API.', 'NETWORK', 0);
  }
  const body = (await response.json().catch(() => null)) as GraphQLResponse<TResult> | null;
  return unwrap(response.status, body);
}

/**
 * Sends an operation whose variables contain `File`s as a multipart request, reporting upload
 * progress (0..1). `files` maps a variables path (e.g. `variables.input.items.0.file`) to a file.
 */
export function executeMultipart<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  files: Map<string, File>,
  onProgress: (fraction: number) => void,
): Promise<TResult> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: document.toString(), variables }));
  const map: Record<string, string[]> = {};
  [...files.keys()].forEach((path, i) => (map[String(i)] = [path]));
  form.append('map', JSON.stringify(map));
  [...files.values()].forEach((file, i) => form.append(String(i), file, file.name));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', GRAPHQL_PATH);
    const key = readApiKey();
    if (key) xhr.setRequestHeader('authorization', `Bearer ${key}`);
    xhr.setRequestHeader('apollo-require-preflight', 'true');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () =>
      reject(new GraphQLRequestError('The upload could not reach the API.', 'NETWORK', 0));
    xhr.onload = () => {
      onProgress(1);
      let body: GraphQLResponse<TResult> | null = null;
      try {
        body = JSON.parse(xhr.responseText) as GraphQLResponse<TResult>;
      } catch {
        body = null;
      }
      try {
        resolve(unwrap(xhr.status, body));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    xhr.send(form);
  });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
