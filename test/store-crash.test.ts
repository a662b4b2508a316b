// Durability of the embedded store under kill -9: a child process streams writes and prints each
// acknowledged one; we kill it mid-stream, reopen the store and check every acknowledged write is
// there with its revision, then let the next round continue on the same directory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { createEmbeddedStore } from '../src/store/embedded/embedded-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const writerScript = join(here, 'fixtures', 'store-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'kubesvc-crash-'));
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Acks {
  creates: Map<string, number>;
  /** Last acknowledged revision and value of each counter key. */
  updates: Map<string, { revision: number; value: string }>;
  revisions: number[];
}

/** Runs the writer until `minAcks` acknowledgements arrived, then kill -9s it. */
async function runAndKill(round: number, minAcks: number): Promise<Acks> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, String(round)], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const acks: Acks = { creates: new Map(), updates: new Map(), revisions: [] };
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let buffered = '';
  let killed = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer made too little progress: ${acks.revisions.length} acks; ${stderr}`)), 30_000);
    const early = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`writer exited early (${code ?? signal}): ${stderr}`));
    };
    child.once('exit', early);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // an unterminated last line is not an acknowledgement
      for (const line of lines) {
        const [kind, what, key, rev, value] = line.split(' ');
        if (kind !== 'ack') continue;
        acks.revisions.push(Number(rev));
        if (what === 'create') acks.creates.set(key as string, Number(rev));
        else acks.updates.set(key as string, { revision: Number(rev), value: value as string });
      }
      if (acks.revisions.length >= minAcks && !killed) {
        killed = true;
        clearTimeout(timer);
        child.off('exit', early);
        // Killed mid-stream, by PID, with no chance to flush or close anything.
        process.kill(child.pid as number, 'SIGKILL');
        resolve();
      }
    });
  });
  await exited;
  assert.equal(child.signalCode, 'SIGKILL');
  return acks;
}

test('every acknowledged write survives kill -9, round after round', { timeout: 120_000 }, async () => {
  const allCreates = new Map<string, number>();
  let lastMax = 0;
  for (let round = 1; round <= 3; round++) {
    const acks = await runAndKill(round, 300 + round * 100);
    assert.ok(acks.revisions.length >= 300);
    // Every acknowledgement carries its own revision, above everything acknowledged before.
    assert.equal(new Set(acks.revisions).size, acks.revisions.length);
    assert.ok(Math.min(...acks.revisions) > lastMax, 'revisions continue above the previous run');
    for (const [k, r] of acks.creates) allCreates.set(k, r);

    const s = await createEmbeddedStore({ dir });
    try {
      const max = Math.max(...acks.revisions);
      assert.ok((await s.currentRevision()) >= max);
      // Acknowledged creates of this and every earlier round, with the revisions they were acked at.
      for (const [key, rev] of allCreates) {
        const kv = await s.get(key);
        assert.ok(kv !== null, `acknowledged ${key}@${rev} is missing after kill -9`);
        assert.equal(kv.modRevision, rev);
        assert.equal(kv.createRevision, rev);
      }
      // Counters: at least the acknowledged update (a later, unacknowledged one may also have landed).
      for (const [key, { revision, value }] of acks.updates) {
        const kv = await s.get(key);
        assert.ok(kv !== null && kv.modRevision >= revision, `update of ${key}@${revision} lost`);
        if (kv.modRevision === revision) assert.equal(kv.value, value);
        else assert.ok(Number(kv.value) > Number(value));
      }
      // History written before the crash is still readable at its revisions.
      const [someKey, someRev] = [...acks.creates][0] as [string, number];
      assert.equal((await s.get(someKey, someRev))?.modRevision, someRev);
      const r = await s.txn([], [{ type: 'put', key: `/crash/after/${round}`, value: 'x' }]);
      assert.ok(r.revision > max);
      lastMax = r.revision;
    } finally {
      await s.close();
    }
  }
});
