/**
 * Yields an object each time it changes, until it is final: what the progress subscriptions
 * stream. It polls the database, so it works the same whether the job runs in this process or on
 * another machine.
 */
export const WATCH_INTERVAL_MS = 500;

export async function* watchChanges<T>(
  load: () => Promise<T | null>,
  signature: (value: T) => string,
  isFinal: (value: T) => boolean,
): AsyncGenerator<T> {
  let last = '';
  for (;;) {
    const value = await load();
    if (!value) return;
    const current = signature(value);
    if (current !== last) {
      last = current;
      yield value;
    }
    if (isFinal(value)) return;
    await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
  }
}
