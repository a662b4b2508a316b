// Strategy for core/v1 events (pkg/registry/core/event/strategy.go): no defaults or status; the
// event's namespace must agree with its involved object's.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { validateEvent } from '../../api/validation/event.js';
import { validateMetadataExtras } from '../../api/validation/objectmeta.js';
import type { StrategyFactory } from '../types.js';

const asEvent = (o: KubeObject) => o as unknown as Event;

export const createStrategy: StrategyFactory = () => ({
  validate: (obj) => [...validateMetadataExtras(obj.metadata), ...validateEvent(asEvent(obj))],
});
