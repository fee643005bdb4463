/** Server-side configuration of the dashboard, read at request time (not baked into the build). */
const DEFAULT_API_URL = 'http://127.0.0.1:4000/graphql';

export function apiGraphqlUrl(): string {
  return process.env.CONCORD_API_URL ?? DEFAULT_API_URL;
}
