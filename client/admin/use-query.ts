import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/**
 * Runs `load` when `key` changes (null: nothing to load) and again on reload(); with `refreshMs`,
 * every so often while the page is visible (live counts), keeping the last answer on screen while
 * the next one comes. An answer to an older key never overwrites a newer one.
 */
export function useQuery<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>, options: { refreshMs?: number } = {}): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<{ key: string | null; loaded: Loaded<T> }>({ key: null, loaded: { state: 'loading' } });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (data) => { if (!controller.signal.aborted) setState({ key, loaded: { state: 'ready', data } }); },
      (error: unknown) => { if (!controller.signal.aborted) setState({ key, loaded: { state: 'error', error } }); },
    );
    return () => controller.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!options.refreshMs || key === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, options.refreshMs);
    return () => window.clearInterval(timer);
  }, [options.refreshMs, key]);

  const loaded: Loaded<T> = state.key === key ? state.loaded : { state: 'loading' };
  return { ...loaded, reload };
}
