/**
 * Where the signed-in API key lives: sessionStorage (one browser tab, gone when it closes; never
 * sent automatically like a cookie, so no CSRF surface).
 */
const KEY = 'concord.apiKey';

export function readApiKey(): string | null {
  if (typeof window === 'undefined') return null;
  return window.sessionStorage.getItem(KEY);
}

export function writeApiKey(value: string | null): void {
  if (value === null) window.sessionStorage.removeItem(KEY);
  else window.sessionStorage.setItem(KEY, value);
}
