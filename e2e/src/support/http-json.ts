// Minimal JSON-over-HTTP for tests (Node's fetch), with a timeout so a hung service fails the
// test with a clear message instead of at jest's deadline.

export interface JsonResponse<T> {
  readonly status: number;
  /** Parsed body; undefined when empty or not JSON. */
  readonly body: T;
}

export async function httpJson<T = unknown>(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs?: number; token?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = {
    ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
  };
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const send = () =>
    fetch(url, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A pooled keep-alive connection the server closed while this process could not notice (a
    // test blocked in spawnSync past the server's keep-alive timeout): a GET is sent again once,
    // on a new connection. Anything else, and any other method, fails as it is.
    const cause = (error as { cause?: { code?: string } }).cause;
    if (method !== 'GET' || cause?.code !== 'UND_ERR_SOCKET') throw error;
    response = await send();
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body: body as T };
}
