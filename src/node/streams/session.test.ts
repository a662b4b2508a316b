// runSession over a real WebSocket on loopback, with a scripted session: input reaches stdin, the
// close signal ends it, output comes before the Status, and the socket then closes normally.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { exitCodeStatus, V5, type StreamStatus } from './channels.js';
import { runSession } from './session.js';

test('stdin, close signal, output then Status, normal close', async () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const got: string[] = [];
  let resolveDone!: (s: StreamStatus) => void;
  const finished = new Promise<StreamStatus>((r) => (resolveDone = r));
  const sizes: [number, number][] = [];
  const session = {
    stdin: {
      write: (d: Buffer) => got.push(d.toString()),
      end: () => {
        // The "process" answers its input, then exits 3.
        stdout.end(`echo:${got.join('')}`);
        stderr.end('warn');
        resolveDone(exitCodeStatus(['cat'], 3));
      },
    },
    stdout,
    stderr,
    resize: (w: number, h: number) => sizes.push([w, h]),
    finished,
    abort: () => {},
  };
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => V5 });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => void runSession(ws, V5, session)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, [V5]);
    const frames: [number, string][] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (m: Buffer) => frames.push([m[0], m.subarray(1).toString()]));
    await new Promise((r) => ws.once('open', r));
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
    ws.send(Buffer.from([0, ...Buffer.from('ab')]));
    ws.send(Buffer.from([0, ...Buffer.from('c')]));
    ws.send(Buffer.from([255, 0]));
    assert.equal(await closed, 1000);
    assert.deepEqual(sizes, [[80, 24]]);
    const status = frames.findIndex(([ch]) => ch === 3);
    assert.equal(status, frames.length - 1, 'the Status is the last frame');
    assert.deepEqual(frames.filter(([ch]) => ch === 1).map(([, d]) => d).join(''), 'echo:abc');
    assert.deepEqual(frames.filter(([ch]) => ch === 2).map(([, d]) => d).join(''), 'warn');
    const st = JSON.parse(frames[status][1]) as StreamStatus;
    assert.equal(st.reason, 'NonZeroExitCode');
    assert.equal(st.details?.causes[0].message, '3');
  } finally {
    wss.close();
    server.close();
  }
});
