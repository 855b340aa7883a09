// A long list's state lives in the URL (decision 014), like the dashboard's view: its filters
// (?wave=3&status=complete), its sort, and the keyset cursor of the page shown (?cursor=…, the
// server's opaque nextCursor). Pure functions, unit-tested without a browser; unknown parameters are kept.

export interface ListQuery {
  filters: Record<string, string>;
  /** The server's cursor of the page shown; null = the first page. */
  cursor: string | null;
}

/** Example: parseListQuery('?status=complete&cursor=abc&x=1', ['status', 'wave']) → { filters: { status: 'complete' }, cursor: 'abc' }. */
export function parseListQuery(search: string, filterKeys: readonly string[]): ListQuery {
  const q = new URLSearchParams(search);
  const filters: Record<string, string> = {};
  for (const key of filterKeys) {
    const value = q.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  const cursor = q.get('cursor');
  return { filters, cursor: cursor ? cursor : null };
}

/** The URL query of a list state; a changed filter starts again from the first page. */
export function listParams(query: ListQuery, filterKeys: readonly string[], base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const q = new URLSearchParams(base);
  for (const key of [...filterKeys, 'cursor']) q.delete(key);
  for (const key of filterKeys) {
    const value = query.filters[key];
    if (value !== undefined && value !== '') q.set(key, value);
  }
  if (query.cursor !== null) q.set('cursor', query.cursor);
  return q;
}

/** The same list with one filter changed (and the cursor reset). */
export function withFilter(query: ListQuery, key: string, value: string): ListQuery {
  const filters = { ...query.filters };
  if (value === '') delete filters[key];
  else filters[key] = value;
  return { filters, cursor: null };
}

/** The API query string of a list state: its filters, its cursor and the page size. */
export function apiQuery(query: ListQuery, limit: number): string {
  const q = new URLSearchParams(query.filters);
  if (query.cursor !== null) q.set('cursor', query.cursor);
  q.set('limit', String(limit));
  return `?${q.toString()}`;
}
