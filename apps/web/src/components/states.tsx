/** Loading, empty and error states, one look everywhere. */
import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>Something went wrong</strong>
      <div>{message}</div>
      {retry ? (
        <button type="button" className="button small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function SkeletonGrid({ count = 8 }: { count?: number }) {
  return (
    <div className="grid" aria-busy="true" aria-label="Loading results">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="card skeleton" />
      ))}
    </div>
  );
}

/** Renders `loading`/`error`/`empty` for a query, or the children with its data. */
export function QueryView<T>({
  state,
  isEmpty,
  empty,
  loading,
  children,
}: {
  state: { data: T | undefined; error: Error | undefined; loading: boolean; refetch: () => void };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loading?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (state.error && !state.data) return <ErrorBox error={state.error} retry={state.refetch} />;
  if (!state.data) return <>{loading ?? <Loading />}</>;
  if (isEmpty?.(state.data)) return <>{empty ?? <Empty title="Nothing here yet" />}</>;
  return <>{children(state.data)}</>;
}
