// The rate-limited sync loop on a fake clock: immediate first run, coalescing inside the minimum
// interval, no overlap, retry after failure, the periodic run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/index.js';
import { SyncRunner } from './sync-runner.js';

const tick = () => new Promise((r) => setImmediate(r));

function setup(results: boolean[] = [], periodMs = 0) {
  const clock = new FakeClock();
  const runs: number[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const runner = new SyncRunner({
    clock,
    minIntervalMs: 100,
    retryMs: 1000,
    periodMs,
    run: async () => {
      runs.push(clock.now());
      if (hold) await new Promise<void>((r) => (release = r));
      return results.shift() ?? true;
    },
  });
  return { clock, runs, runner, holdNext: () => (hold = true), release: () => (hold = false, release?.()) };
}

test('the first request runs at once; requests inside the interval coalesce into one run at its end', async () => {
  const { clock, runs, runner } = setup();
  runner.start();
  clock.advance(0);
  await tick();
  assert.deepEqual(runs, [0]);
  clock.advance(10);
  runner.request();
  runner.request();
  clock.advance(20);
  runner.request();
  clock.advance(69);
  await tick();
  assert.deepEqual(runs, [0], 'still inside the 100 ms interval');
  clock.advance(1);
  await tick();
  assert.deepEqual(runs, [0, 100]);
  clock.advance(500);
  runner.request();
  clock.advance(0);
  await tick();
  assert.deepEqual(runs, [0, 100, 600], 'a request after a quiet interval runs at once');
  await runner.stop();
});

test('runs never overlap: a request during a run is served after it', async () => {
  const s = setup();
  s.holdNext();
  s.runner.start();
  s.clock.advance(0);
  await tick();
  s.runner.request();
  s.clock.advance(500);
  await tick();
  assert.deepEqual(s.runs, [0]);
  s.release();
  await s.runner.settled();
  s.clock.advance(0);
  await tick();
  assert.deepEqual(s.runs, [0, 500]);
  await s.runner.stop();
});

test('a failed run is retried after retryMs; the period runs it on its own', async () => {
  const { clock, runs, runner } = setup([false, true], 5000);
  runner.start();
  clock.advance(0);
  await tick();
  clock.advance(999);
  await tick();
  assert.deepEqual(runs, [0]);
  clock.advance(1);
  await tick();
  assert.deepEqual(runs, [0, 1000]);
  clock.advance(4000);
  await tick();
  assert.deepEqual(runs, [0, 1000, 5000]);
  await runner.stop();
  clock.advance(20_000);
  await tick();
  assert.equal(runs.length, 3, 'nothing after stop');
});
