// A long list's state lives in the URL (decision 014), like the dashboard's view: its filters
// (?wave=3&status=complete), its sort, and the keyset cursor of the page shown (?after=… or
// ?before=…). Pure functions, unit-tested without a browser; unknown parameters are kept.

export interface ListQuery {
  filters: Record<string, string>;
  /** The cursor of the page: rows after it (next) or before it (previous); null = the first page. */
  cursor: { after: string } | { before: string } | null;
}

/** Example: parseListQuery('?status=complete&after=abc&x=1', ['status', 'wave']) → { filters: { status: 'complete' }, cursor: { after: 'abc' } }. */
export function parseListQuery(search: string, filterKeys: readonly string[]): ListQuery {
  const q = new URLSearchParams(search);
  const filters: Record<string, string> = {};
  for (const key of filterKeys) {
    const value = q.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  const after = q.get('after');
  const before = q.get('before');
  return { filters, cursor: after ? { after } : before ? { before } : null };
}

/** The URL query of a list state; a changed filter starts again from the first page. */
export function listParams(query: ListQuery, filterKeys: readonly string[], base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const q = new URLSearchParams(base);
  for (const key of [...filterKeys, 'after', 'before']) q.delete(key);
  for (const key of filterKeys) {
    const value = query.filters[key];
    if (value !== undefined && value !== '') q.set(key, value);
  }
  if (query.cursor && 'after' in query.cursor) q.set('after', query.cursor.after);
  if (query.cursor && 'before' in query.cursor) q.set('before', query.cursor.before);
  return q;
}

/** The same list with one filter changed (and the cursor reset). */
export function withFilter(query: ListQuery, key: string, value: string): ListQuery {
  const filters = { ...query.filters };
  if (value === '') delete filters[key];
  else filters[key] = value;
  return { filters, cursor: null };
}
