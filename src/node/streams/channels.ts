// The remote-command channel protocol kubectl speaks over WebSocket (k8s.io/apimachinery's
// wsstream and client-go's remotecommand): every binary message starts with one byte naming the
// stream — 0 stdin, 1 stdout, 2 stderr, 3 error (a meta/v1 Status as JSON), 4 resize (JSON
// {"Width","Height"}) — and v5 adds 255, "close": [255, id] half-closes stream id (kubectl sends
// it when its stdin ends). kubectl 1.32 offers only v5.channel.k8s.io; v4 is accepted for older
// clients (no close signal there).

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';
export const SUPPORTED_PROTOCOLS = [V5, V4];

/** The subprotocol the server picks from what the client offers (its order of preference). */
export function pickProtocol(offered: Iterable<string>): string | undefined {
  for (const p of offered) if (SUPPORTED_PROTOCOLS.includes(p.trim())) return p.trim();
  return undefined;
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export type Incoming = { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number } | { kind: 'resize'; width: number; height: number } | { kind: 'invalid'; reason: string };

/** One message from the client. */
export function parseMessage(msg: Buffer, protocol: string): Incoming {
  if (msg.length === 0) return { kind: 'invalid', reason: 'empty message' };
  const channel = msg[0];
  const data = msg.subarray(1);
  if (channel === CLOSE && protocol === V5) {
    if (data.length < 1) return { kind: 'invalid', reason: 'close signal without a stream id' };
    return { kind: 'close', channel: data[0] };
  }
  if (channel === RESIZE) {
    try {
      const size = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
      const width = Number(size.Width);
      const height = Number(size.Height);
      if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) return { kind: 'invalid', reason: 'bad resize message' };
      return { kind: 'resize', width, height };
    } catch {
      return { kind: 'invalid', reason: 'bad resize message' };
    }
  }
  return { kind: 'data', channel, data };
}

/** What the kubelet writes on the error channel (k8s.io/apimachinery/pkg/util/remotecommand). */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason?: string; message: string }[] };
}

export function successStatus(): StreamStatus {
  return { metadata: {}, status: 'Success' };
}

/**
 * A command that exited non-zero: reason NonZeroExitCode with the code as an ExitCode cause
 * (client-go turns this into exec.CodeExitError, and kubectl exits with that code, printing
 * "command terminated with exit code N"). The message follows the container runtimes' text.
 */
export function exitCodeStatus(argv: readonly string[], exitCode: number): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Anything else that went wrong while streaming (apierrors.NewInternalError's text). */
export function internalErrorStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500, details: { causes: [{ message }] } };
}
