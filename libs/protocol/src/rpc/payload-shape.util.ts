/**
 * Bounds on the shape of an untrusted JSON payload, checked before it is transformed or validated:
 * class-transformer and class-validator recurse, so a deeply nested payload would overflow the
 * stack (an internal error instead of a refusal). The walk here is iterative. A `__proto__` key is
 * refused anywhere.
 */

export const MAX_PAYLOAD_DEPTH = 64;
export const MAX_PAYLOAD_NODES = 1_000_000;

/** Why `payload` is too deep or too large to look at, or undefined. */
export function payloadShapeProblem(payload: unknown, maxDepth = MAX_PAYLOAD_DEPTH, maxNodes = MAX_PAYLOAD_NODES): string | undefined {
  const stack: [unknown, number][] = [[payload, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (++nodes > maxNodes) return `must have at most ${maxNodes} values`;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return `must be nested at most ${maxDepth} levels deep`;
    // `__proto__` as a key (JSON.parse makes it an own property) would set the prototype of the
    // instance it is copied into, past the whitelist: never a field of any message.
    if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) return 'must not have a field named __proto__';
    const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}
