// The busybox images' nc built-in (src/node/images/nc.ts), run as the applet script runs it
// (builtinArgv), against real sockets on loopback: busybox's texts and exit statuses for open and
// refused ports, data both ways, listen mode with -e and -k, UDP, the -w idle end and signals.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { after, test } from 'node:test';
import { builtinArgv } from '../../src/node/container-process.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** nc with `input` on stdin (undefined: stdin stays open until `onStart` ends it or nc ends). */
function nc(args: string[], input?: string, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const [cmd, ...rest] = builtinArgv('nc', args);
  const child = spawn(cmd, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.on('error', () => {});
  if (input !== undefined) child.stdin.end(input);
  onStart?.(child);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(onConn: Parameters<typeof createServer>[1]): Promise<number> {
  const s = createServer({ allowHalfOpen: true }, onConn);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Connects to port once it listens (nc -l starts in a fraction of a second). */
async function dial(port: number, send: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        let got = '';
        s.on('data', (d) => (got += d.toString()));
        s.on('connect', () => s.end(send));
        s.on('end', () => resolve(got));
        s.on('error', reject);
      });
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('-zv: an open port in busybox words, a refusal silent at one -v and printed at two', async () => {
  const open = await serve((s) => s.end());
  assert.deepEqual(await nc(['-zv', '127.0.0.1', String(open)], ''), { code: 0, signal: null, out: '', err: `127.0.0.1 (127.0.0.1:${open}) open\n` });
  assert.deepEqual(await nc(['-zv', 'localhost', String(open)], ''), { code: 0, signal: null, out: '', err: `localhost (127.0.0.1:${open}) open\n` });
  const closed = await closedPort();
  assert.deepEqual(await nc(['-zv', '127.0.0.1', String(closed)], ''), { code: 1, signal: null, out: '', err: '' });
  assert.deepEqual(await nc(['-zvv', '127.0.0.1', String(closed)], ''), {
    code: 1,
    signal: null,
    out: '',
    err: `nc: 127.0.0.1 (127.0.0.1:${closed}): Connection refused\nsent 0, rcvd 0\n`,
  });
  assert.deepEqual(await nc(['-z', '-w', 'x', '127.0.0.1', '1'], ''), { code: 1, signal: null, out: '', err: "nc: invalid number 'x'\n" });
  assert.deepEqual(await nc(['-z', '127.0.0.1', 'no-such-service'], ''), { code: 1, signal: null, out: '', err: "nc: bad port 'no-such-service'\n" });
});

test('stdin goes to the peer and its answer to stdout; nc ends when both sides are closed', async () => {
  const port = await serve((s) => {
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('end', () => s.end(got.toUpperCase()));
  });
  assert.deepEqual(await nc(['127.0.0.1', String(port)], 'GET / HTTP/1.0\r\n\r\n'), { code: 0, signal: null, out: 'GET / HTTP/1.0\r\n\r\n'.toUpperCase(), err: '' });
  assert.deepEqual(await nc(['-vv', '127.0.0.1', String(port)], 'abc'), { code: 0, signal: null, out: 'ABC', err: `127.0.0.1 (127.0.0.1:${port}) open\nsent 3, rcvd 3\n` });
});

test('-w: a silent peer with stdin open ends nc (status 0) after two idle periods', async () => {
  const port = await serve(() => {});
  const r = await nc(['-w', '1', '127.0.0.1', String(port)]);
  assert.deepEqual(r, { code: 0, signal: null, out: '', err: '' });
});

test('-l -p: one connection, busybox -v texts, data both ways', async () => {
  const port = await closedPort();
  const [r, got] = await Promise.all([nc(['-lv', '-p', String(port)], 'from listener\n'), dial(port, 'from client\n')]);
  assert.equal(got, 'from listener\n');
  assert.equal(r.code, 0);
  assert.equal(r.out, 'from client\n');
  assert.match(r.err, new RegExp(`^listening on (\\[::\\]|0\\.0\\.0\\.0):${port} \\.\\.\\.\\nconnect to (\\[::ffff:127\\.0\\.0\\.1\\]|127\\.0\\.0\\.1):${port} from localhost:\\d+ \\((\\[::ffff:127\\.0\\.0\\.1\\]|127\\.0\\.0\\.1):\\d+\\)\\n$`));
});

test('-lk -e PROG: a PROG per connection, listening on; SIGTERM ends it with punt!', async () => {
  const port = await closedPort();
  let child: ReturnType<typeof spawn> | undefined;
  const running = nc(['-lk', '-p', String(port), '-e', 'sh', '-c', 'read x; echo "got $x"'], undefined, (c) => (child = c));
  assert.equal(await dial(port, 'one\n'), 'got one\n');
  assert.equal(await dial(port, 'two\n'), 'got two\n');
  child!.kill('SIGTERM');
  const r = await running;
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(r.err, 'punt!\n');
});

test('-u: a datagram out and the answer back; -zu on a closed port fails', async () => {
  const echo = createSocket('udp4');
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  echo.on('message', (m, rinfo) => echo.send(Buffer.concat([Buffer.from('pong:'), m]), rinfo.port, rinfo.address));
  try {
    const port = echo.address().port;
    assert.deepEqual(await nc(['-u', '-w', '1', '127.0.0.1', String(port)], 'ping'), { code: 0, signal: null, out: 'pong:ping', err: '' });
    assert.deepEqual(await nc(['-zuv', '-w', '1', '127.0.0.1', String(port)], ''), { code: 0, signal: null, out: '', err: `127.0.0.1 (127.0.0.1:${port}) open\n` });
  } finally {
    echo.close();
  }
  const closed = await closedPort();
  assert.deepEqual(await nc(['-zuvv', '127.0.0.1', String(closed)], ''), {
    code: 1,
    signal: null,
    out: '',
    err: `nc: 127.0.0.1 (127.0.0.1:${closed}): Connection refused\nsent 0, rcvd 0\n`,
  });
});
