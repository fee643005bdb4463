/** One graphql-ws subscription: its first event, its error, or how the server closed it. */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriptionOutcome {
  data: unknown;
  errors: { message: string; extensions?: { code?: string } }[];
  /** Close code and reason when the server closed the socket instead of answering. */
  closed: { code: number; reason: string } | null;
}

export function subscribeOnce(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  key: string | null,
  timeoutMs = 20_000,
): Promise<SubscriptionOutcome> {
  const wsUrl = `${url.replace(/^http/, 'ws')}graphql`;
  return new Promise((resolve, reject) => {
    let closed: SubscriptionOutcome['closed'] = null;
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: key ? { authorization: `Bearer ${key}` } : {},
      retryAttempts: 0,
      lazy: true,
      on: {
        closed: (event) => {
          const e = event as { code?: number; reason?: string };
          closed = { code: e.code ?? 0, reason: String(e.reason ?? '') };
        },
      },
    });
    const timer = setTimeout(() => {
      void client.dispose();
      reject(new Error('subscription timed out'));
    }, timeoutMs);
    const finish = (outcome: SubscriptionOutcome) => {
      clearTimeout(timer);
      unsubscribe();
      void Promise.resolve(client.dispose()).then(() => resolve(outcome));
    };
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (value) =>
          finish({
            data: value.data ?? null,
            errors: (value.errors ?? []) as SubscriptionOutcome['errors'],
            closed,
          }),
        error: (error: unknown) => {
          if (Array.isArray(error)) {
            finish({ data: null, errors: error as SubscriptionOutcome['errors'], closed });
          } else {
            const e = error as { code?: number; reason?: string; message?: string };
            finish({
              data: null,
              errors: [],
              closed: closed ?? { code: e.code ?? 0, reason: String(e.reason ?? e.message ?? '') },
            });
          }
        },
        complete: () => finish({ data: null, errors: [], closed }),
      },
    );
  });
}
