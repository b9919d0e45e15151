/**
 * URLs in text without their passwords: `postgres://u:pw@h/db` → `postgres://u:***@h/db` (and a
 * NATS token URL `nats://tok@h` → `nats://***@h`), for configuration errors that quote a value.
 */
export function redactUrlsIn<T extends string | undefined>(text: T): T {
  if (text === undefined) return text;
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:@/"',]*:)[^\s@/"',]*@/gi, '$1***@')
    .replace(/((?:nats|tls|ws|wss):\/\/)[^\s:@/"',]+@/gi, '$1***@') as T;
}
