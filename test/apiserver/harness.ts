// In-process API server on 127.0.0.1:0 with the memory store, and small HTTP helpers for tests.
import { createApiServer } from '../../src/apiserver/index.js';
import type { ApiServer, ApiServerConfig } from '../../src/apiserver/index.js';
import { DEFAULT_REGISTRY_CONFIG } from '../../src/registry/types.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';
import { silentLogger } from '../../src/util/log.js';

export interface Harness {
  api: ApiServer;
  store: Store;
  base: string;
  close(): Promise<void>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON body (tests read fields off it freely).
  json: Json;
}

/**
 * A parsed response body as JSON.parse types it: tests read arbitrary fields off it and the
 * assertions check them, so a stricter type would only add casts.
 */
export type Json = ReturnType<typeof JSON.parse>;

/**
 * The store under test: memory by default; KUBESVC_TEST_STORE=embedded runs the same tests on the
 * embedded (SQLite) backend in a temp dir.
 */
async function openTestStore(): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (process.env.KUBESVC_TEST_STORE !== 'embedded') return { store: createMemoryStore(), cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-apiserver-'));
  const store = await openStore({ backend: 'embedded', dir, durability: 'normal' });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function startServer(extra: Partial<ApiServerConfig> = {}): Promise<Harness> {
  const { store, cleanup } = await openTestStore();
  const api = createApiServer({ store, logger: silentLogger, registryConfig: DEFAULT_REGISTRY_CONFIG, ...extra });
  await api.listen('127.0.0.1', 0);
  await api.ready;
  const base = `http://127.0.0.1:${api.port()}`;
  return {
    api,
    store,
    base,
    async close() {
      try {
        await api.close();
        await store.close();
      } finally {
        await cleanup();
      }
    },
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
        if (!headers['content-type']) (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const r = await fetch(base + path, init);
      const text = await r.text();
      let json: Json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: r.status, headers: r.headers, text, json };
    },
  };
}

export interface WatchReader {
  /** The next event, or throws after `ms` without one. */
  next(ms?: number): Promise<{ type: string; object: Json }>;
  /** Resolves true if the server ended the stream within `ms`. */
  ended(ms?: number): Promise<boolean>;
  status: number;
  close(): void;
}

export async function openWatch(base: string, path: string, headers: Record<string, string> = {}): Promise<WatchReader> {
  const ac = new AbortController();
  const r = await fetch(base + path, { signal: ac.signal, headers });
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let done = false;
  const queue: string[] = [];
  let pending: Promise<void> | undefined;
  const pull = async () => {
    const { value, done: d } = await reader.read();
    if (d) done = true;
    else {
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) queue.push(line);
      }
    }
  };
  const fill = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no watch event within ${ms} ms`)), ms);
      const loop = async () => {
        while (!queue.length && !done) {
          pending ??= pull().finally(() => (pending = undefined));
          await pending;
        }
      };
      loop().then(
        () => {
          clearTimeout(t);
          resolve();
        },
        (e) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  return {
    status: r.status,
    async next(ms = 2000) {
      await fill(ms);
      const line = queue.shift();
      if (line === undefined) throw new Error('watch ended');
      return JSON.parse(line) as { type: string; object: Json };
    },
    async ended(ms = 2000) {
      try {
        await fill(ms);
      } catch {
        return false;
      }
      return done && !queue.length;
    },
    close() {
      ac.abort();
    },
  };
}

export const svc = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, ...extra },
  spec: { ports: [{ port: 80 }] },
});

export const cm = (name: string, labels?: Record<string, string>, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});
