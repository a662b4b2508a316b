// The client package: what controllers, the node agent, DNS and the proxy import.
export { createClient, type Client, type ResourceClient } from './client.js';
export { inProcessTransport } from './in-process.js';
export { httpTransport, type HttpTransportOptions } from './http.js';
export type * from './transport.js';
export * from './kinds.js';
export { fromStatus, isAlreadyExists, isConflict, isGone, isNotFound } from './errors.js';
export { objectKey, splitKey, type ApiObject } from './objects.js';
export { realClock, FakeClock, type Clock, type TimerHandle } from './clock.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { Indexer, NAMESPACE_INDEX, type IndexFunc } from './cache.js';
export type { Lister } from './lister.js';
export {
  createInformer,
  deletedObject,
  isTombstone,
  type DeletedFinalStateUnknown,
  type EventHandlers,
  type Informer,
  type InformerOptions,
  type Registration,
} from './informer.js';
export { SharedInformerFactory, type InformerFor, type SharedInformerFactoryOptions } from './factory.js';
export { WorkQueue, runWorkers, type ReconcileResult, type RunWorkersOptions, type WorkQueueOptions } from './workqueue.js';
export {
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  type RateLimiter,
} from './rate-limiter.js';
export { retryOnConflict, type RetryOptions } from './retry.js';
export { createEventRecorder, referenceTo, type EventRecorder, type EventRecorderConfig, type EventType } from './event-recorder.js';
