// The service proxy's front door (see README.md).
export { createProxy, type Proxy } from './proxy.js';
export { resolveProxyConfig, type ProxyConfig, type ProxyMode } from './config.js';
export type { ProxyMetrics } from './metrics.js';
