// A watch over HTTP: chunked newline-delimited JSON events. Headers are flushed at once (client-go's
// wait loops stall otherwise); the stream ends on timeoutSeconds, on the client leaving
// (res 'close'), on server shutdown, or when the registry ends the watch (410 ERROR event).
import type { KubeObject } from '../api/object.js';
import type { WatchEvent } from '../registry/generic-types.js';
import { negotiate } from './negotiate.js';
import { listOptionsOf, timeoutSecondsOf } from './params.js';
import type { RequestContext } from './request.js';
import { partialMetadata, parseIncludeObject, toTable } from './shapes.js';

// kube-apiserver picks a random watch timeout in [minRequestTimeout, 2×minRequestTimeout), 30 min.
const MIN_REQUEST_TIMEOUT_S = 1800;
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export async function serveWatch(c: RequestContext): Promise<number> {
  const { res, url, route } = c;
  const q = url.searchParams;
  const shape = negotiate(c.req);
  const include = parseIncludeObject(q.get('includeObject'));
  const lo = listOptionsOf(q, route.namespace);
  const timeoutS = timeoutSecondsOf(q) ?? MIN_REQUEST_TIMEOUT_S * (1 + Math.random());
  // A watch on one item is a watch on the collection filtered to that name.
  const fieldSelector = route.name
    ? [lo.fieldSelector, `metadata.name=${route.name}`].filter(Boolean).join(',')
    : lo.fieldSelector;

  let open = true;
  const head = () => {
    if (res.headersSent) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  let headersSent = false;
  const shapeOf = (ev: WatchEvent): KubeObject => {
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') return ev.object;
    if (shape === 'table') {
      const table = toTable(route.res, [ev.object], include, { resourceVersion: ev.object.metadata?.resourceVersion });
      // As kube-apiserver: column definitions only on the first event (NoHeaders afterwards).
      if (headersSent) table.columnDefinitions = null;
      headersSent = true;
      return table;
    }
    if (shape === 'partial') return partialMetadata(ev.object);
    return ev.object;
  };
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let handle: { stop(): void } | undefined;
  let timer: NodeJS.Timeout | undefined = undefined;
  const close = () => {
    if (!open) return;
    open = false;
    if (timer) clearTimeout(timer);
    handle?.stop();
    untrack();
    head();
    res.end();
    done();
  };
  const untrack = c.track(close);
  res.on('close', close);

  try {
    handle = await startWatch();
  } catch (e) {
    if (res.headersSent) throw e;
    open = false;
    untrack();
    res.off('close', close);
    throw e;
  }
  if (!open) handle.stop();
  head();
  timer = setTimeout(close, timeoutS * 1000);
  timer.unref();
  await finished;
  return 200;

  function startWatch() {
    return c.registry.watch(
    route.res,
    {
      namespace: route.namespace,
      labelSelector: lo.labelSelector,
      fieldSelector,
      resourceVersion: lo.resourceVersion,
      allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: q.get('sendInitialEvents') === 'true',
    },
    {
      event(ev) {
        if (!open) return;
        head();
        res.write(JSON.stringify({ type: ev.type, object: shapeOf(ev) }) + '\n');
        // A watcher that stopped reading would make us buffer without end; like kube-apiserver
        // dropping a slow watcher, end the stream (the client re-lists or re-watches).
        if (res.writableLength > MAX_BUFFERED_BYTES) close();
      },
      end: () => close(),
    },
  );
  }
}
