// gcr.io/google-samples/hello-app and us-docker.pkg.dev/google-samples/containers/gke/hello-app,
// the GKE tutorials' sample: every path answers "Hello, world!", "Version: <x.y.0>", "Hostname:
// <pod>" on $PORT (8080). The version follows the image tag (1.0 → 1.0.0, 2.0 → 2.0.0), as the
// tutorials' rolling updates from 1.0 to 2.0 show. Logs as Go's log package does: "Server
// listening on port 8080", then "Serving request: <path>" per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { portFrom, serve } from './serve.js';

/** The version the sample prints for an image tag; 1.0.0 without a tag or for one it does not know. */
export function helloAppVersion(tag: string | undefined): string {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag ?? '');
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : '1.0.0';
}

/** Go's log.Printf prefix: `2026/11/22 07:15:00 `. */
export function goLogTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function helloAppHandler(version: string, host: string, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    log(`${goLogTime(new Date())} Serving request: ${new URL(req.url ?? '/', 'http://x').pathname}`);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Hello, world!\nVersion: ${version}\nHostname: ${host}\n`);
  };
}

/** `hello-app --image-tag=2.0`. */
export function runHelloApp(args: readonly string[]): void {
  const tag = args.find((a) => a.startsWith('--image-tag='))?.slice('--image-tag='.length);
  const port = portFrom(process.env.PORT, 8080);
  serve([port], helloAppHandler(helloAppVersion(tag), hostname(), (l) => console.log(l)), 'hello-app', (p) => console.log(`${goLogTime(new Date())} Server listening on port ${p}`));
}
