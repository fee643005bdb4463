/**
 * Forwards GraphQL requests (JSON and multipart) from the browser to the API, so the dashboard
 * and the API share one origin (the API sends no CORS headers). Nothing is cached or stored here;
 * the API does all authentication from the forwarded `authorization` header.
 */
import { apiGraphqlUrl } from '../../../lib/server-env.ts';

export const dynamic = 'force-dynamic';

const FORWARDED = ['content-type', 'authorization', 'apollo-require-preflight', 'accept'];

export async function POST(request: Request): Promise<Response> {
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  try {
    const upstream = await fetch(apiGraphqlUrl(), {
      method: 'POST',
      headers,
      body: request.body,
      // Streams the request body (uploads) instead of buffering it.
      duplex: 'half',
      cache: 'no-store',
    } as RequestInit & { duplex: 'half' });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
    });
  } catch {
    return Response.json(
      {
        errors: [{ message: 'The API is not reachable.', extensions: { code: 'API_UNREACHABLE' } }],
      },
      { status: 502 },
    );
  }
}
