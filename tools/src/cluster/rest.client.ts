// The few dispatcher/service HTTP calls the cluster command needs, with short timeouts so a hung
// service never hangs the command.

/** The dispatcher's `GET /overview` (fields after Flink's REST API). */
export interface ClusterOverview {
  readonly taskmanagers: number;
  readonly 'slots-total'?: number;
  readonly 'slots-available'?: number;
  readonly 'jobs-running'?: number;
  readonly [field: string]: unknown;
}

let bearerToken: string | undefined;

/** The REST token these calls send from now on (`npm start -- --secure` sets the one it generated). */
export function useRestToken(token: string | undefined): void {
  bearerToken = token;
}

export async function getJson<T>(url: string, timeoutMs = 2_000): Promise<{ status: number; body: T | undefined }> {
  const headers = bearerToken ? { authorization: `Bearer ${bearerToken}` } : undefined;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...(headers ? { headers } : {}) });
  const text = await response.text();
  let body: T | undefined;
  try {
    body = text ? (JSON.parse(text) as T) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** True when `GET <base>/health` answers 200. */
export async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    return (await getJson(`${baseUrl}/health`)).status === 200;
  } catch {
    return false;
  }
}

/** Whether the service there leads (its NATS requests are served only by the leader). */
export async function isLeader(baseUrl: string): Promise<boolean> {
  try {
    const { status, body } = await getJson<{ info?: { leadership?: { role?: string } } }>(`${baseUrl}/health`);
    return status === 200 && body?.info?.leadership?.role === 'leader';
  } catch {
    return false;
  }
}

export async function getOverview(baseUrl: string): Promise<ClusterOverview | undefined> {
  const { status, body } = await getJson<ClusterOverview>(`${baseUrl}/overview`);
  return status === 200 ? body : undefined;
}
