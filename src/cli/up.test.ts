// The wiring of `up` with stand-in components: readiness before the kubeconfig, clean stop on a
// signal, loud exit when a component dies.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiServer, ApiServerConfig } from '../apiserver/config.js';
import type { Store } from '../store/types.js';
import { createLogger } from '../util/log.js';
import { type UpDeps, runUp } from './up.js';
import { upConfigFromFlags } from './up-config.js';

function fakeStore(events: string[]): Store {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    currentRevision: async () => 1,
    compactedRevision: async () => 0,
    get: unused,
    range: unused,
    count: unused,
    txn: unused,
    watch: () => ({ cancel() {} }),
    compact: async () => {},
    close: async () => {
      events.push('store closed');
    },
  };
}

function fakeApiServer(events: string[], ready: Promise<void>, seen: ApiServerConfig[], servers: Server[]) {
  return (config: ApiServerConfig): ApiServer => {
    seen.push(config);
    const server = createServer((_req, res) => res.end('ok'));
    servers.push(server);
    return {
      server,
      listen: (host, port) => new Promise((r) => server.listen(port, host, () => r())),
      port: () => {
        const a = server.address();
        return typeof a === 'object' && a ? a.port : 0;
      },
      listenAlso: () => Promise.resolve(),
      advertise: () => Promise.resolve(),
      close: () =>
        new Promise((r) =>
          server.close(() => {
            events.push('api closed');
            r();
          }),
        ),
      ready,
      registry: {} as ApiServer['registry'],
    };
  };
}

async function setup(opts: { ready?: Promise<void>; openStore?: UpDeps['openStore']; controllersReady?: Promise<void> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kubesvc-up-'));
  const events: string[] = [];
  const lines: string[] = [];
  const printed: string[] = [];
  const seen: ApiServerConfig[] = [];
  const servers: Server[] = [];
  let signal: ((s: string) => void) | undefined;
  const deps: UpDeps = {
    openStore: opts.openStore ?? (async () => fakeStore(events)),
    createApiServer: fakeApiServer(events, opts.ready ?? Promise.resolve(), seen, servers),
    logger: createLogger({ sink: (l) => lines.push(l) }),
    print: (t) => printed.push(t),
    onStopSignal: (h) => {
      signal = h;
      return () => (signal = undefined);
    },
    startControllers: (_api, names) => {
      events.push(`controllers started: ${names.join(',')}`);
      return {
        ready: opts.controllersReady ?? Promise.resolve(),
        stop: async () => {
          events.push('controllers stopped');
        },
      };
    },
  };
  const config = upConfigFromFlags({ 'data-dir': join(dir, 'data'), listen: '127.0.0.1:0', 'etcd-compaction-interval': '0' }, dir);
  return {
    dir,
    config,
    deps,
    events,
    lines,
    printed,
    seen,
    servers,
    sendSignal: (s: string) => signal?.(s),
    hasSignalHandler: () => signal !== undefined,
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}

test('writes the kubeconfig only after readiness, serves, then stops cleanly on a signal', async () => {
  let markReady!: () => void;
  const t = await setup({ ready: new Promise<void>((r) => (markReady = r)) });
  try {
    const kubeconfig = join(t.config.dataDir, 'kubeconfig');
    const done = runUp(t.config, t.deps);
    await until(() => t.seen.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(kubeconfig), false, 'no kubeconfig before the API server is ready');
    markReady();
    await until(() => existsSync(kubeconfig));
    const text = await readFile(kubeconfig, 'utf8');
    assert.match(text, /server: http:\/\/127\.0\.0\.1:\d+/);
    assert.match(t.printed.join(''), new RegExp(`export KUBECONFIG=${kubeconfig.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.deepEqual(t.seen[0].registryConfig, t.config.registry);
    t.sendSignal('SIGTERM');
    assert.equal(await done, 0);
    assert.deepEqual(t.events, ['controllers started: *', 'controllers stopped', 'api closed', 'store closed']);
    assert.equal(existsSync(join(t.config.dataDir, 'kubesvc.pid')), false, 'the data dir lock is released');
    assert.equal(t.hasSignalHandler(), false);
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

test('the kubeconfig waits for the controllers too; --controllers "" starts none', async () => {
  let markSynced!: () => void;
  const t = await setup({ controllersReady: new Promise<void>((r) => (markSynced = r)) });
  try {
    const kubeconfig = join(t.config.dataDir, 'kubeconfig');
    const done = runUp(t.config, t.deps);
    await until(() => t.events.includes('controllers started: *'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(existsSync(kubeconfig), false, 'no kubeconfig before the controllers have synced');
    markSynced();
    await until(() => existsSync(kubeconfig));
    t.sendSignal('SIGINT');
    assert.equal(await done, 0);
  } finally {
    await t[Symbol.asyncDispose]();
  }
  const none = await setup();
  try {
    const done = runUp({ ...none.config, controllers: [] }, none.deps);
    await until(() => existsSync(join(none.config.dataDir, 'kubeconfig')));
    none.sendSignal('SIGTERM');
    assert.equal(await done, 0);
    assert.deepEqual(none.events, ['api closed', 'store closed']);
  } finally {
    await none[Symbol.asyncDispose]();
  }
});

test('a dying API server ends up with exit code 1 and an error log', async () => {
  const t = await setup();
  try {
    const done = runUp(t.config, t.deps);
    await until(() => existsSync(join(t.config.dataDir, 'kubeconfig')));
    t.servers[0].emit('error', new Error('boom'));
    assert.equal(await done, 1);
    assert.ok(t.lines.some((l) => /level=error msg="the API server failed; shutting down" err=boom/.test(l)), t.lines.join('\n'));
    assert.ok(t.events.includes('store closed'));
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

test('a data dir in use by another live kubesvc is exit code 1, nothing opened', async () => {
  const t = await setup();
  try {
    const first = runUp(t.config, t.deps);
    await until(() => existsSync(join(t.config.dataDir, 'kubeconfig')));
    const second = await setup();
    try {
      const config = { ...second.config, dataDir: t.config.dataDir };
      // Same process, so make the lock look like another's: a live pid that is not ours.
      await writeFile(join(t.config.dataDir, 'kubesvc.pid'), `${process.ppid}\n`);
      assert.equal(await runUp(config, second.deps), 1);
      assert.equal(second.seen.length, 0);
      assert.ok(second.lines.some((l) => /cannot use the data dir.*in use by another kubesvc/.test(l)), second.lines.join('\n'));
      await writeFile(join(t.config.dataDir, 'kubesvc.pid'), `${process.pid}\n`);
    } finally {
      await second[Symbol.asyncDispose]();
    }
    t.sendSignal('SIGINT');
    assert.equal(await first, 0);
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

test('a shutdown that hangs gives up after the timeout with exit code 1', async () => {
  const events: string[] = [];
  const hanging: Store = { ...fakeStore(events), close: () => new Promise<void>(() => {}) };
  const t = await setup({ openStore: async () => hanging });
  try {
    t.deps.shutdownTimeoutMs = 100;
    const done = runUp(t.config, t.deps);
    await until(() => existsSync(join(t.config.dataDir, 'kubeconfig')));
    t.sendSignal('SIGTERM');
    assert.equal(await done, 1);
    assert.ok(t.lines.some((l) => /level=error msg="shutdown did not finish in time; exiting" timeoutMs=100/.test(l)), t.lines.join('\n'));
  } finally {
    await t[Symbol.asyncDispose]();
  }
});

test('a store that cannot open is exit code 1, nothing served', async () => {
  const t = await setup({
    openStore: async () => {
      throw new Error('locked');
    },
  });
  try {
    assert.equal(await runUp(t.config, t.deps), 1);
    assert.equal(t.seen.length, 0);
    assert.ok(t.lines.some((l) => /level=error msg="cannot open the store" backend=embedded err=locked/.test(l)), t.lines.join('\n'));
  } finally {
    await t[Symbol.asyncDispose]();
  }
});
