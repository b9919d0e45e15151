/**
 * The wire protocol's version. Every control message carries it; a service answers a message of
 * another version with a validation error instead of guessing at its meaning.
 */
export const PROTOCOL_VERSION = 1 as const;
export type ProtocolVersion = typeof PROTOCOL_VERSION;
