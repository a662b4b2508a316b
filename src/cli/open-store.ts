// Opens the store `up` was configured with. Temporary bridge until src/store/index.ts (openStore)
// lands: only the memory backend is wired here.
import { createMemoryStore } from '../store/memory/memory-store.js';
import type { Store } from '../store/types.js';
import type { StoreChoice } from './up-config.js';

export async function openStore(choice: StoreChoice): Promise<Store> {
  if (choice.backend === 'memory') return createMemoryStore();
  throw new Error(`the ${choice.backend} store is not available in this build yet; use --store memory`);
}
