import { useEffect, useState } from 'react';
import { getJson } from './api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

// Published results change rarely (the API says max-age=60): a view the reader returns to is
// shown from memory instead of asking again. Only successes are kept, so a retry asks again.
const cache = new Map<string, unknown>();

/**
 * GETs `path` of the public API (null: nothing to load) and re-renders with the result. `attempt`
 * is the retry counter: raising it after an error asks again.
 */
export function useApi<T>(path: string | null, attempt: number): Loaded<T> {
  const key = path === null ? null : `${attempt}\n${path}`;
  const [result, setResult] = useState<{ key: string; loaded: Loaded<T> } | null>(null);

  useEffect(() => {
    if (path === null || key === null || cache.has(path)) return;
    const controller = new AbortController();
    getJson<T>(path, controller.signal).then(
      (data) => {
        cache.set(path, data);
        setResult({ key, loaded: { state: 'ready', data } });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ key, loaded: { state: 'error', error } });
      },
    );
    return () => controller.abort();
  }, [path, key]);

  if (path === null) return { state: 'loading' };
  if (cache.has(path)) return { state: 'ready', data: cache.get(path) as T };
  if (result && result.key === key) return result.loaded;
  return { state: 'loading' };
}
