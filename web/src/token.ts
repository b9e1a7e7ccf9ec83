/** The access token: taken from `?token=` once, then kept for the tab's lifetime. */

const KEY = 'torchloupe.token';

interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Returns the token from the query string (remembering it) or the one remembered earlier, and
 * the URL to show without it so that the token does not linger in history or screenshots.
 */
export function resolveToken(href: string, storage: KeyValueStore | null): { token: string | null; cleanHref: string } {
  const url = new URL(href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) {
    try {
      storage?.setItem(KEY, fromQuery);
    } catch {
      // Storage can be disabled (privacy mode); the token then lives for this page only.
    }
    url.searchParams.delete('token');
    return { token: fromQuery, cleanHref: url.toString() };
  }
  let stored: string | null = null;
  try {
    stored = storage?.getItem(KEY) ?? null;
  } catch {
    stored = null;
  }
  return { token: stored, cleanHref: href };
}
