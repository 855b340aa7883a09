// A server-paginated list whose filters and cursor are the URL's query string (list-query.ts).
// "Previous" walks back the cursors this visit went through (the API's keyset pages only go
// forward); arriving on a deep link, "previous" goes to the first page.
import { useCallback, useMemo, useRef } from 'react';
import { setQuery, useSearch } from '../router';
import { apiQuery, listParams, parseListQuery, withFilter, type ListQuery } from './list-query';
import { useQuery } from './use-query';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * `defaults`: filters the API needs when the URL has none (the responses list is per wave); null
 * while they are not known yet (nothing is loaded until then).
 */
export function useList<T, P extends Page<T> = Page<T>>(filterKeys: readonly string[], load: (query: string, signal: AbortSignal) => Promise<P>, options: { limit?: number; refreshMs?: number; defaults?: Record<string, string> | null } = {}) {
  const search = useSearch();
  // Pages pass filterKeys as a literal (a new array each render): one array per distinct content,
  // so the memos and callbacks below change only when the keys do.
  const keysJson = JSON.stringify(filterKeys);
  const keys = useMemo(() => JSON.parse(keysJson) as readonly string[], [keysJson]);
  const query = useMemo(() => parseListQuery(search, keys), [search, keys]);
  const trail = useRef<(string | null)[]>([]);
  const api = options.defaults === null ? null : apiQuery({ ...query, filters: { ...options.defaults, ...query.filters } }, options.limit ?? 50);
  const loaded = useQuery(api, (signal) => load(api ?? '', signal), { refreshMs: options.refreshMs });

  const go = useCallback((next: ListQuery) => setQuery(listParams(next, keys, new URLSearchParams(window.location.search))), [keys]);
  const setFilter = useCallback((key: string, value: string) => {
    trail.current = [];
    go(withFilter(query, key, value));
  }, [go, query]);
  const setFilters = useCallback((filters: Record<string, string>) => {
    trail.current = [];
    go({ filters, cursor: null });
  }, [go]);
  const nextCursor = loaded.state === 'ready' ? loaded.data.nextCursor : null;
  const onNext = nextCursor === null ? null : () => {
    trail.current.push(query.cursor);
    go({ ...query, cursor: nextCursor });
  };
  const onPrevious = query.cursor === null ? null : () => {
    const previous = trail.current.pop() ?? null;
    go({ ...query, cursor: previous });
  };
  return { query, loaded, setFilter, setFilters, pager: { onNext, onPrevious } };
}
