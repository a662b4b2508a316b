// Strategy for namespaces: defaulting, validation and update rules particular to this kind.
// Placeholder: the generic registry's behaviour applies until this kind's rules are written.
import type { StrategyFactory } from '../types.js';

export const createStrategy: StrategyFactory = () => ({});
