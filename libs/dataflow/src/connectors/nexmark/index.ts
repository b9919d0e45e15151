/** Nexmark benchmark connector: event types, the pure generator and its splittable cursor. */
export * from './nexmark-event.types';
export * from './nexmark.constants';
export { EventRandom } from './nexmark.random';
export * from './nexmark.generator';
export * from './nexmark-split.generator';
export { NexmarkSource } from './nexmark.source';
