// The DNS component alone in its own process (so its memory can be measured), reading the API over
// HTTP like a separate component would. Prints "ready <port>" once synced; exits on SIGTERM.
import { parseArgs } from 'node:util';
import { createClient, httpTransport } from '../../src/client/index.js';
import { createDns } from '../../src/dns/index.js';

const { values } = parseArgs({ options: { api: { type: 'string' }, port: { type: 'string', default: '0' }, 'pod-mode': { type: 'string', default: 'verified' } } });
const client = createClient(httpTransport({ server: String(values.api) }));
const dns = createDns({
  client,
  listen: [{ host: '127.0.0.1', port: Number(values.port) }],
  podMode: values['pod-mode'] as 'verified',
});
await dns.start();
const m = process.memoryUsage();
process.stdout.write(`ready ${dns.addresses()[0]!.port} services=${dns.index.serviceCount} heapUsed=${(m.heapUsed / 2 ** 20).toFixed(0)}MiB rss=${(m.rss / 2 ** 20).toFixed(0)}MiB\n`);
process.on('SIGTERM', () => {
  void dns.stop().then(() => {
    client.close();
    process.exit(0);
  });
});
