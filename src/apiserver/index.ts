// The API server: what other components import.
export { createApiServer } from './server.js';
export type { ApiServer, ApiServerConfig, StreamHandler } from './config.js';
export type { ResourceRoute } from './router.js';
export { DEFAULT_MAX_REQUEST_BYTES } from './config.js';
export { VERSION_INFO } from './version.js';
