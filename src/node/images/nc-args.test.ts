import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNcArgs, type NcOptions } from './nc-args.js';

const opts = (argv: string[]): NcOptions => {
  const r = parseNcArgs(argv);
  assert.ok(r.ok, `${argv.join(' ')}: ${JSON.stringify(r)}`);
  return r.opts;
};

test('the forms people type to test a Service', () => {
  assert.deepEqual(
    { ...opts(['-zv', 'web', '80']) },
    { numeric: false, udp: false, broadcast: false, verbose: 1, wait: 0, listen: 0, interval: 0, zero: true, operands: ['web', '80'], prog: undefined },
  );
  const w = opts(['-z', '-w', '2', 'web', '80']);
  assert.equal(w.wait, 2);
  assert.equal(w.zero, true);
  assert.equal(opts(['-w2', '-zvv', 'web', '80']).verbose, 2);
  assert.equal(opts(['-vzw', '3', 'web', '80']).wait, 3);
  assert.deepEqual(opts(['-u', '-w1', '10.96.0.10', '53']).udp, true);
  assert.equal(opts(['-n', '-v', '10.0.0.1', '80']).numeric, true);
});

test('options after the operands count too (GNU getopt permutes); -- ends them', () => {
  const o = opts(['web', '80', '-zv']);
  assert.deepEqual(o.operands, ['web', '80']);
  assert.equal(o.zero, true);
  assert.deepEqual(opts(['--', '-x', '80']).operands, ['-x', '80']);
});

test('listen: -l and -k counted as busybox counts them, -p and -s take values', () => {
  const l = opts(['-l', '-p', '8080']);
  assert.equal(l.listen, 1);
  assert.equal(l.localPort, '8080');
  assert.equal(opts(['-ll', '-p8080']).listen, 2);
  assert.equal(opts(['-lk', '-p', '8080']).listen, 2);
  assert.equal(opts(['-l', '-s', '127.0.0.1', '-p', '1']).localAddress, '127.0.0.1');
  assert.deepEqual(opts(['-l', '-p', '1', '10.0.0.2', '5000']).operands, ['10.0.0.2', '5000']);
});

test('-e takes the rest of the line as the program and its arguments, also bundled as -lke', () => {
  const e = opts(['-l', '-p', '9000', '-e', 'sh', '-c', 'echo hi -v']);
  assert.deepEqual(e.prog, ['sh', '-c', 'echo hi -v']);
  assert.equal(e.verbose, 0);
  const b = opts(['-p', '9000', '-lke', 'cat', '-n']);
  assert.deepEqual(b.prog, ['cat', '-n']);
  assert.equal(b.listen, 2);
  assert.equal(b.numeric, false);
  // -pe is not the bundled form: p takes "e" as its value.
  assert.equal(opts(['-pe', 'web', '80']).localPort, 'e');
});

test("busybox's refusals: unknown option, missing value, bad number, too many operands", () => {
  assert.deepEqual(parseNcArgs(['-x', 'web', '80']), { ok: false, message: "invalid option -- 'x'", usage: true });
  assert.deepEqual(parseNcArgs(['web', '-w']), { ok: false, message: "option requires an argument -- 'w'", usage: true });
  assert.deepEqual(parseNcArgs(['-w', '2s', 'web', '80']), { ok: false, message: "invalid number '2s'", usage: false });
  assert.deepEqual(parseNcArgs(['-w', '-1', 'web', '80']), { ok: false, message: "invalid number '-1'", usage: false });
  assert.deepEqual(parseNcArgs(['-i', '0', 'web', '80']), { ok: false, message: 'number 0 is not in 1..65535 range', usage: false });
  assert.deepEqual(parseNcArgs(['a', 'b', 'c']), { ok: false, usage: true });
  assert.deepEqual(parseNcArgs(['-l', '-p', '1', '-e']), { ok: false, message: "option requires an argument -- 'e'", usage: true });
});
