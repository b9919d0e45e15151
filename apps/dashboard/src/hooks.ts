/** Polling reads of the REST API and the hash route. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, NotAvailableError, tokenVersion } from './api';
import { useStore } from './store';

export interface Resource<T> {
  readonly data?: T;
  readonly error?: ApiError | Error;
  /** The endpoint answered 404: the view shows "not available". */
  readonly notAvailable: boolean;
  readonly loading: boolean;
  reload(): void;
}

/** GETs `path` now and every `intervalMs` (0: once); keeps the last good data across errors. */
export function usePoll<T>(path: string | null, intervalMs = 2000): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; notAvailable: boolean; loading: boolean }>({ notAvailable: false, loading: true });
  const [tick, setTick] = useState(0);
  const version = useStore(tokenVersion);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    if (path === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const data = await api.get<T>(path);
        if (alive.current) setState({ data, notAvailable: false, loading: false });
      } catch (error) {
        if (!alive.current) return;
        const notAvailable = error instanceof NotAvailableError;
        setState((s) => ({ data: notAvailable ? undefined : s.data, error: error as Error, notAvailable, loading: false }));
        // A missing endpoint stays missing; without a token every call is refused: ask again
        // only once a token is entered (tokenVersion).
        if (notAvailable || (error instanceof ApiError && error.status === 401)) return;
      }
      if (intervalMs > 0 && alive.current) timer = setTimeout(load, intervalMs);
    };
    void load();
    return () => {
      alive.current = false;
      if (timer) clearTimeout(timer);
    };
  }, [path, intervalMs, tick, version]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** `#/jobs/<id>/graph` → ['jobs', '<id>', 'graph']. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(...parts: string[]): void {
  location.hash = '#/' + parts.map(encodeURIComponent).join('/');
}
