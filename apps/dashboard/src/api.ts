/**
 * The dispatcher's REST API as the dashboard calls it: same origin, relative paths (the page is
 * served at `/` or `/dashboard`), and `Authorization: Bearer <token>` when the cluster asked for a
 * token. The token lives in sessionStorage only (gone with the tab); a 401 asks for it again.
 */
import { store } from './store';

const TOKEN_KEY = 'runnel.restToken';

/** Why the token form is shown: null = not shown. */
export const tokenPrompt = store<null | 'needed' | 'rejected'>(null);

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  tokenPrompt.value = null;
  tokenVersion.value++;
}

/** Bumped when the token changes, so polling views fetch again at once. */
export const tokenVersion = store(0);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A 404: the endpoint (or the id) does not exist on this dispatcher; views show "not available". */
export class NotAvailableError extends ApiError {
  constructor(path: string) {
    super(404, `${path}: not available`, 'NOT_FOUND');
    this.name = 'NotAvailableError';
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, Authorization: 'Bearer ' + token } : extra;
}

async function request<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(contentType ? { 'Content-Type': contentType } : {}),
    body,
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    tokenPrompt.value = sessionStorage.getItem(TOKEN_KEY) === null ? 'needed' : 'rejected';
    throw new ApiError(401, 'this cluster needs a REST token');
  }
  if (response.status === 404) throw new NotAvailableError(path);
  const text = await response.text();
  const parsed: unknown = text === '' ? {} : safeJson(text);
  if (!response.ok) {
    const err = parsed as { errors?: string[]; code?: string } | string;
    const message = typeof err === 'string' ? err : (err.errors ?? []).join('; ') || response.statusText;
    throw new ApiError(response.status, message, typeof err === 'string' ? undefined : err.code);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, JSON.stringify(body), 'application/json'),
  patch: <T>(path: string) => request<T>('PATCH', path),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, form),
};
