// Packet-level evidence for the `Connection: close` problem (README, section 3): from ONE client
// port, a request to FIRST, optionally `conntrack -F`, then a request to SECOND, with tcpdump on
// the server pod's interface. Shows the two SYNs' timestamp clocks (the client derives them from
// the pre-NAT 4-tuple), whether conntrack gave the second connection another source port, and,
// when the server still holds the 4-tuple in TIME_WAIT and rejects the older-looking timestamp
// (PAWS), its ACK, the client's RST and the retransmitted SYN. Needs root, nft, conntrack, tcpdump.
// Usage: npx tsx bench/proxy/capture-reuse.ts [vip|pod] [flush|keep] [vip|pod]   (default: vip flush pod)
import { BenchNode } from './netns.js';
import { ourRuleset, type Target } from './rulesets.js';
import { haproxyHttpServerConfig } from './tools.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [first = 'vip', between = 'flush', second = 'pod'] = process.argv.slice(2);
const TARGET: Target = { name: 'web', clusterIP: '10.96.0.20', port: 80, targetPort: 8080, endpoints: ['10.244.0.11'] };
const addr = (w: string) => (w === 'vip' ? ['10.96.0.20', '80'] : ['10.244.0.11', '8080']);
// One request with `Connection: close` from local port 42000; prints the time until the server closed.
const ONE = `const s=require('net').connect({host:process.argv[1],port:+process.argv[2],localPort:42000});const t0=Date.now();
s.on('connect',()=>s.write('GET / HTTP/1.1\\r\\nHost: b\\r\\nConnection: close\\r\\n\\r\\n'));s.on('data',()=>{});
s.on('close',()=>console.log('closed after',Date.now()-t0,'ms'));s.on('error',(e)=>console.log('error',e.message));`;

const dir = mkdtempSync(join(tmpdir(), 'ksvc-pb-'));
const node = new BenchNode();
try {
  node.create();
  const srv = node.addPod('srv', '10.244.0.11');
  const cli = node.addPod('cli', '10.244.0.20');
  node.start(srv.ns, ['haproxy', '-db', '-f', haproxyHttpServerConfig(dir, 'srv', 8080)]);
  node.nft(ourRuleset(1, TARGET));
  const td = node.start(srv.ns, ['tcpdump', '-l', '-nn', '-v', '-i', 'eth0', 'tcp port 8080']);
  let cap = '';
  td.stdout!.on('data', (d: Buffer) => (cap += d.toString()));
  await new Promise((r) => setTimeout(r, 1000));
  const request = (w: string) => {
    console.log(`client:42000 -> ${addr(w).join(':')}: ${node.exec(cli.ns, [process.execPath, '-e', ONE, ...addr(w)]).trim()}`);
    console.log(node.tryExec(node.ns, ['conntrack', '-L', '-p', 'tcp', '-s', cli.ip]).out.trim().replace(/^/gm, '  conntrack: '));
  };
  request(first);
  if (between === 'flush') {
    node.exec(node.ns, ['conntrack', '-F']);
    console.log('conntrack -F');
  }
  request(second);
  await new Promise((r) => setTimeout(r, 500));
  console.log('\ntcpdump on the server pod (seq numbers absolute; TS val = the sender\'s timestamp clock):');
  for (const line of cap.replace(/\n\s+/g, ' ').split('\n')) {
    const m = /^(\S+) .*?(\d+\.\d+\.\d+\.\d+\.\d+ > \d+\.\d+\.\d+\.\d+\.\d+): Flags \[([^\]]+)\](?:.*?seq (\d+))?(?:.*?ack (\d+))?/.exec(line);
    if (!m) continue;
    const ts = /TS val (\d+)/.exec(line)?.[1];
    console.log(`${m[1]} ${m[2]} [${m[3]}]${m[4] ? ` seq ${m[4]}` : ''}${m[5] ? ` ack ${m[5]}` : ''}${ts ? ` TSval ${ts}` : ''}`);
  }
} finally {
  node.destroy();
  rmSync(dir, { recursive: true, force: true });
}
