/** What every hostile call must satisfy, and the shared state of the hostile-input suites. */
import type { GraphQLSchema } from 'graphql';
import type { GqlResponse, HostileApp, RawResponse } from './app.ts';
import type { Fixture } from './fixture.ts';
import type { RootField } from './schema.ts';

export interface InputCtx {
  t: HostileApp;
  f: Fixture;
  schema: GraphQLSchema;
  fields: RootField[];
  /** Inputs tried per class, and what they gave: `{ class: { code: count } }`. */
  tally: Record<string, Record<string, number>>;
}

export function record(ctx: InputCtx, cls: string, outcome: string): void {
  const row = (ctx.tally[cls] ??= {});
  row[outcome] = (row[outcome] ?? 0) + 1;
}

/** The outcome of a GraphQL answer: `ok`, or the first error code (payload errors included). */
export function outcomeOf(r: GqlResponse, field?: string): string {
  const top = r.errors?.[0];
  if (top) return top.extensions?.code ?? 'UNTYPED';
  const value = field ? (r.data?.[field] as { errors?: { code: string }[] } | null) : null;
  return value?.errors?.[0]?.code ?? 'ok';
}

/** Problems with an answer: a 5xx, an error without a code, or an internal error. */
export function problems(r: GqlResponse | RawResponse, label: string): string[] {
  const out: string[] = [];
  if (r.status >= 500) out.push(`${label}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  const errors =
    'json' in r
      ? ((r.json as { errors?: GqlResponse['errors'] } | null)?.errors ?? [])
      : (r.errors ?? []);
  for (const e of errors) {
    const code = e.extensions?.code;
    if (!code) out.push(`${label}: untyped error ${JSON.stringify(e).slice(0, 300)}`);
    else if (code === 'INTERNAL_SERVER_ERROR')
      out.push(
        `${label}: internal error${e.extensions?.errorId ? '' : ' WITHOUT a request id'} ${JSON.stringify(e).slice(0, 300)}`,
      );
  }
  return out;
}

/** Whether a mutation's answer says it did not happen (GraphQL error or payload user errors). */
export function refused(r: GqlResponse, field: string): boolean {
  if (r.errors?.length) return true;
  const value = r.data?.[field] as { errors?: unknown[] } | null | undefined;
  return value == null || (value.errors?.length ?? 0) > 0;
}

export function diff(before: Record<string, string>, after: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${before[k]} → ${after[k]}`)
    .join('; ');
}

/** Table names and row counts only (what "no table dropped, nothing lost" compares). */
export function tablesOf(snapshot: Record<string, string>): string[] {
  return Object.keys(snapshot).filter((k) => !k.startsWith('pgboss.'));
}
