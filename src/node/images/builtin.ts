// The built-in images' programs, run as the container's process inside the pod sandbox:
//   builtin.js nginx|httpd            default page on 80 and every declared TCP container port
//   builtin.js pause                  sleeps until SIGTERM/SIGINT
//   builtin.js agnhost <sub> [flags]  serve-hostname, netexec, pause
//   builtin.js http-echo -text=...    hashicorp/http-echo
//   builtin.js whoami [--port N]      traefik/whoami
//   builtin.js echoserver|echo-server|hello-app|nginx-hello [--image-tag=T]  tutorial images (programs/)
//   builtin.js nc [OPTIONS] HOST PORT busybox's netcat-1.10-compatible nc (nc.ts)
// The agent passes declared ports in KUBESVC_CONTAINER_PORTS (comma-separated TCP ports).
import { hostname, networkInterfaces } from 'node:os';
import { HTTPD_PAGE, NGINX_PAGE } from './pages.js';
import { serve as serveOn, type Handler } from './programs/serve.js';

function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i].replace(/^--?/, '-');
    if (a === `-${name}` && i + 1 < args.length && !args[i + 1].startsWith('-')) return args[i + 1];
    if (a.startsWith(`-${name}=`)) return a.slice(name.length + 2);
  }
  return undefined;
}


/** Serves `handler` on each port, saying so as these programs' logs do; exits on SIGTERM/SIGINT. */
function serve(ports: number[], handler: Handler, banner: string): void {
  serveOn(ports, handler, banner, (port) => console.log(`${banner} listening on :${port}`));
}

function declaredPorts(): number[] {
  return (process.env.KUBESVC_CONTAINER_PORTS ?? '')
    .split(',')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
}

function pause(): void {
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setInterval(() => {}, 1 << 30);
}

function podIPs(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => i.address);
}

function whoami(args: string[]): void {
  const port = Number(flag(args, 'port') ?? process.env.WHOAMI_PORT_NUMBER ?? 80);
  serve([port], (req, res) => {
    let body = `Hostname: ${hostname()}\n`;
    for (const ip of podIPs()) body += `IP: ${ip}\n`;
    body += `RemoteAddr: ${req.socket.remoteAddress}:${req.socket.remotePort}\n${req.method} ${req.url} HTTP/${req.httpVersion}\nHost: ${req.headers.host ?? ''}\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() !== 'host') body += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body + '\n');
  }, 'whoami');
}

function httpEcho(args: string[]): void {
  const text = flag(args, 'text') ?? process.env.ECHO_TEXT;
  if (text === undefined) {
    console.error('Missing -text option!');
    process.exit(127);
  }
  const listen = flag(args, 'listen') ?? ':5678';
  const status = Number(flag(args, 'status-code') ?? 200);
  serve([Number(listen.split(':').pop())], (req, res) => {
    if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-app-name': 'http-echo' }).end(`${text}\n`);
  }, 'http-echo');
}

function netexec(args: string[]): void {
  const port = Number(flag(args, 'http-port') ?? 8080);
  serve([port], (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const text = (code: number, body: string) => res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    switch (url.pathname) {
      case '/':
      case '/echo':
        return text(200, url.searchParams.get('msg') ?? (url.pathname === '/' ? 'NOW: ' + new Date().toISOString() : ''));
      case '/hostname':
        return text(200, hostname());
      case '/clientip':
        return text(200, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
      case '/healthz':
        return text(200, 'ok');
      case '/exit': {
        const code = Number(url.searchParams.get('code') ?? 0);
        text(200, '');
        return void setTimeout(() => process.exit(code), 10);
      }
      default:
        return text(404, '404 page not found\n');
    }
  }, 'netexec');
}

function agnhost(args: string[]): void {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'serve-hostname': {
      const port = Number(flag(rest, 'port') ?? 9376);
      return serve([port], (_req, res) => res.writeHead(200).end(hostname()), 'serve-hostname');
    }
    case 'netexec':
      return netexec(rest);
    case 'pause':
      return pause();
    default:
      console.error(`agnhost: unknown or unsupported subcommand "${sub ?? ''}" in kubesvc (supported: serve-hostname, netexec, pause)`);
      process.exit(1);
  }
}

const [kind, ...args] = process.argv.slice(2);
switch (kind) {
  case 'nginx':
    serve([80, ...declaredPorts()], (_req, res) => res.writeHead(200, { server: 'nginx/1.27.3', 'content-type': 'text/html' }).end(NGINX_PAGE), 'nginx');
    break;
  case 'httpd':
    serve([80, ...declaredPorts()], (_req, res) => res.writeHead(200, { server: 'Apache/2.4.62 (Unix)', 'content-type': 'text/html' }).end(HTTPD_PAGE), 'httpd');
    break;
  case 'pause':
    pause();
    break;
  case 'agnhost':
    agnhost(args);
    break;
  case 'http-echo':
    httpEcho(args);
    break;
  case 'whoami':
    whoami(args);
    break;
  case 'echoserver':
  case 'echo-server':
  case 'hello-app':
  case 'nginx-hello':
    // The Services tutorials' images (programs/), loaded only for them.
    void import('./programs/index.js').then((m) => m.TUTORIAL_PROGRAMS[kind](args));
    break;
  case 'nc':
    // The busybox images' netcat (loaded only here: a pod's servers do not need it).
    void import('./nc.js').then((m) => m.main(args));
    break;
  default:
    console.error(`unknown built-in program "${kind}"`);
    process.exit(2);
}
