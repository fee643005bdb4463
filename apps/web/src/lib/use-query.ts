'use client';
/**
 * A small data hook over `execute`: loading / error / data, refetch, and optional polling (the
 * live run view). Enough for a dashboard of independent pages; no client cache to keep coherent.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '../generated/graphql.ts';
import { execute } from './client.ts';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => void;
}

export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean; pollMs?: number | null } = {},
): QueryState<TResult> {
  const [data, setData] = useState<TResult>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(!options.skip);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  const previousKey = useRef(key);

  useEffect(() => {
    if (options.skip) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    // New variables: drop the old data so the page never shows results of another query.
    if (previousKey.current !== key) {
      previousKey.current = key;
      setData(undefined);
    }
    setLoading(true);
    execute(document, JSON.parse(key) as TVariables, { signal: controller.signal }).then(
      (result) => {
        setData(result);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [document, key, options.skip, tick]);

  useEffect(() => {
    if (!options.pollMs || options.skip) return;
    const timer = setInterval(() => setTick((t) => t + 1), options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, options.skip]);

  const refetch = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, refetch };
}
