import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { exitCodeStatus, frame, internalErrorStatus, parseMessage, pickProtocol, successStatus, V4, V5 } from './channels.js';
import { shellJoin } from './tty.js';

test('frames carry the stream id in their first byte', () => {
  assert.deepEqual([...frame(1, 'hi')], [1, 0x68, 0x69]);
  assert.deepEqual([...frame(3, Buffer.alloc(0))], [3]);
  assert.deepEqual(parseMessage(Buffer.from([0, 0x61]), V5), { kind: 'data', channel: 0, data: Buffer.from('a') });
});

test('v5 close signal names the stream; v4 has none', () => {
  assert.deepEqual(parseMessage(Buffer.from([255, 0]), V5), { kind: 'close', channel: 0 });
  assert.equal(parseMessage(Buffer.from([255]), V5).kind, 'invalid');
  assert.equal(parseMessage(Buffer.from([255, 0]), V4).kind, 'data');
});

test('resize messages are JSON Width/Height', () => {
  assert.deepEqual(parseMessage(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":101,"Height":33}')]), V5), { kind: 'resize', width: 101, height: 33 });
  assert.equal(parseMessage(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":-1}')]), V5).kind, 'invalid');
  assert.equal(parseMessage(Buffer.concat([Buffer.from([4]), Buffer.from('nope')]), V5).kind, 'invalid');
  assert.equal(parseMessage(Buffer.alloc(0), V5).kind, 'invalid');
});

test('subprotocol: v5 preferred as offered, unknown refused', () => {
  assert.equal(pickProtocol(['v5.channel.k8s.io']), V5);
  assert.equal(pickProtocol([' v4.channel.k8s.io', 'v5.channel.k8s.io']), V4);
  assert.equal(pickProtocol(['channel.k8s.io', 'base64.channel.k8s.io']), undefined);
});

test('error-channel Status texts: Success, NonZeroExitCode with an ExitCode cause, InternalError', () => {
  assert.deepEqual(successStatus(), { metadata: {}, status: 'Success' });
  assert.deepEqual(exitCodeStatus(['sh', '-c', 'exit 3'], 3), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  const ie = internalErrorStatus('boom');
  assert.equal(ie.message, 'Internal error occurred: boom');
  assert.equal(ie.reason, 'InternalError');
  assert.equal(ie.code, 500);
});

test('shellJoin quotes argv so that sh -c sees the same words', () => {
  const argv = ['printf', '%s|', "it's", 'a b', '$HOME', ''];
  assert.equal(execFileSync('sh', ['-c', shellJoin(argv)], { encoding: 'utf8' }), "it's|a b|$HOME||");
});
