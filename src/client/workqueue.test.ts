import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './clock.js';
import { ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from './rate-limiter.js';
import { runWorkers, WorkQueue } from './workqueue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('a key added twice before it is taken is handed out once, in FIFO order with others', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('a key re-added while processed is not handed out again until done, then exactly once', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('k');
  const first = await q.get();
  assert.equal(first, 'k');
  q.add('k');
  q.add('k');
  assert.equal(q.len(), 0, 'not queued while processing');
  let second: string | undefined;
  void q.get().then((v) => (second = v));
  await tick();
  assert.equal(second, undefined, 'a second worker does not get it concurrently');
  q.done('k');
  await tick();
  assert.equal(second, 'k');
  q.done('k');
  assert.equal(q.len(), 0);
});

test('a waiting worker is woken by add; shutDown hands out what is queued, then undefined', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const got = q.get();
  q.add('x');
  assert.equal(await got, 'x');
  q.add('y');
  q.shutDown();
  q.add('z');
  assert.equal(await q.get(), 'y');
  assert.equal(await q.get(), undefined);
  const waiting = new WorkQueue({ clock: new FakeClock() });
  const pending = waiting.get();
  waiting.shutDown();
  assert.equal(await pending, undefined);
});

test('done re-queues a key that was re-added before the shutdown', async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add('k');
  await q.get();
  q.add('k');
  q.shutDown();
  q.done('k');
  assert.equal(await q.get(), 'k');
});

test('addAfter delivers after the delay; the earlier of two delays wins; shutDown drops delayed items', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter('late', 100);
  q.addAfter('late', 50);
  q.addAfter('late', 200);
  q.addAfter('now', 0);
  assert.equal(q.len(), 1);
  clock.advance(49);
  assert.equal(q.len(), 1);
  clock.advance(1);
  assert.equal(q.len(), 2);
  clock.advance(1000);
  assert.equal(q.len(), 2, 'the later timers were replaced, not added');
  q.addAfter('dropped', 10);
  q.shutDown();
  assert.equal(clock.timers, 0);
});

test('per-item exponential backoff: 5 ms doubling, capped at 1000 s, reset by forget', () => {
  const l = new ItemExponentialRateLimiter<string>();
  assert.deepEqual([1, 2, 3, 4].map(() => l.when('a')), [5, 10, 20, 40]);
  assert.equal(l.when('b'), 5, 'per item');
  assert.equal(l.numRequeues('a'), 4);
  for (let i = 0; i < 100; i++) l.when('a');
  assert.equal(l.when('a'), 1_000_000);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
});

test('the token bucket allows a burst, then paces at its rate, and refills over time', () => {
  const clock = new FakeClock();
  const b = new TokenBucketRateLimiter<string>(clock, 10, 3);
  assert.deepEqual([0, 1, 2].map((i) => b.when(`k${i}`)), [0, 0, 0]);
  assert.equal(b.when('k3'), 100);
  assert.equal(b.when('k4'), 200);
  clock.advance(1000);
  // 10 tokens refilled, capped at the burst of 3, minus the 2 owed.
  assert.equal(b.when('k5'), 0);
});

test('the default controller limiter takes the larger of per-item backoff and the bucket', () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter<string>(clock);
  assert.equal(l.when('a'), 5);
  for (let i = 0; i < 99; i++) l.when(`burst-${i}`);
  // 100 tokens used: the next one waits 100 ms for the bucket though the item's own backoff is 5 ms.
  assert.equal(l.when('fresh'), 100);
  assert.ok(new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(1, 8)).when('x') === 1);
});

test('addRateLimited requeues after the backoff; forget resets it', () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter(10, 1000) });
  q.addRateLimited('k');
  assert.equal(q.len(), 0);
  clock.advance(10);
  assert.equal(q.len(), 1);
  q.addRateLimited('j');
  q.addRateLimited('j');
  assert.equal(q.numRequeues('j'), 2);
  q.forget('j');
  assert.equal(q.numRequeues('j'), 0);
});

test('runWorkers: failures retry with backoff, successes are forgotten, no key runs twice at once, exits on shutDown', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter(10, 1000) });
  const running = new Set<string>();
  let overlap = false;
  let fails = 2;
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  const done = runWorkers(q, 3, async (key) => {
    if (running.has(key)) overlap = true;
    running.add(key);
    calls.push(key);
    await new Promise<void>((r) => gates.push(r));
    running.delete(key);
    if (key === 'flaky' && fails-- > 0) throw new Error('not yet');
  });
  q.add('flaky');
  q.add('steady');
  await tick();
  q.add('steady');
  q.add('steady');
  for (let i = 0; i < 10; i++) {
    for (const g of gates.splice(0)) g();
    await tick();
    clock.advance(1000);
    await tick();
  }
  assert.equal(overlap, false);
  assert.deepEqual(calls.filter((c) => c === 'flaky').length, 3, 'two failures, then success');
  assert.deepEqual(calls.filter((c) => c === 'steady').length, 2, 'the re-adds while running collapse into one more run');
  assert.equal(q.numRequeues('flaky'), 0, 'forgotten after success');
  q.shutDown();
  await done;
});

test('runWorkers: a reconcile can ask to be called again after a delay', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock });
  let n = 0;
  const done = runWorkers(q, 1, async () => {
    n++;
    return n < 3 ? { requeueAfterMs: 500 } : undefined;
  });
  q.add('k');
  await tick();
  assert.equal(n, 1);
  clock.advance(499);
  await tick();
  assert.equal(n, 1);
  clock.advance(1);
  await tick();
  assert.equal(n, 2);
  clock.advance(500);
  await tick();
  assert.equal(n, 3);
  clock.advance(5000);
  await tick();
  assert.equal(n, 3);
  q.shutDown();
  await done;
});

test('metrics under client-go names: adds, depth, retries, queue and work durations', async () => {
  const { Registry } = await import('prom-client');
  const registry = new Registry();
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock, name: 'svc', metrics: registry, rateLimiter: new ItemExponentialRateLimiter(10, 100) });
  new WorkQueue<string>({ clock, name: 'other', metrics: registry }).add('z');
  q.add('a');
  q.add('a');
  q.add('b');
  clock.advance(2000);
  const a = await q.get();
  clock.advance(500);
  q.done(a!);
  q.addRateLimited('c');
  const text = await registry.metrics();
  const line = (name: string) => text.split('\n').find((l) => l.startsWith(name))?.split(' ')[1];
  assert.equal(line('workqueue_adds_total{name="svc"}'), '2');
  assert.equal(line('workqueue_adds_total{name="other"}'), '1');
  assert.equal(line('workqueue_depth{name="svc"}'), '1');
  assert.equal(line('workqueue_retries_total{name="svc"}'), '1');
  assert.equal(line('workqueue_queue_duration_seconds_sum{name="svc"}'), '2');
  assert.equal(line('workqueue_work_duration_seconds_sum{name="svc"}'), '0.5');
});
