// The source of a tiny agent process run inside a test network namespace (`ip netns exec NS node -e`).
// It reads JSON commands on stdin and answers JSON lines on stdout:
//   {id, op:'serve', name, tcpPort, udpPort}  TCP: writes name and closes; UDP: answers name
//   {id, op:'tcp', host, port, timeoutMs}     → {id, data} | {id, err}; always {ms}
//   {id, op:'udp', host, port, sport, timeoutMs} → {id, data} | {id, err}
// Plain JavaScript so it starts fast and needs nothing from the repository.
export const AGENT_SOURCE = String.raw`
const net = require('node:net'), dgram = require('node:dgram'), rl = require('node:readline');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
rl.createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  let t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  if (c.op === 'serve') {
    const srv = net.createServer((s) => { s.on('error', () => {}); s.end(c.name + '\n'); });
    srv.listen(c.tcpPort, '0.0.0.0', () => {
      const u = dgram.createSocket('udp4');
      u.on('message', (m, r) => u.send(c.name, r.port, r.address));
      u.bind(c.udpPort, '0.0.0.0', () => out({ id: c.id, ok: true }));
    });
  } else if (c.op === 'tcp') {
    let data = '', done = false;
    const fin = (o) => { if (!done) { done = true; s.destroy(); out({ id: c.id, ms: ms(), ...o }); } };
    const s = net.connect({ host: c.host, port: c.port });
    s.setTimeout(c.timeoutMs || 2000, () => fin({ err: 'timeout' }));
    s.on('data', (d) => (data += d));
    s.on('end', () => fin({ data: data.trim() }));
    s.on('error', (e) => fin({ err: e.code || String(e) }));
  } else if (c.op === 'udp') {
    const u = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    let done = false;
    const fin = (o) => { if (!done) { done = true; clearTimeout(timer); u.close(); out({ id: c.id, ms: ms(), ...o }); } };
    const timer = setTimeout(() => fin({ err: 'timeout' }), c.timeoutMs || 1000);
    u.on('message', (m) => fin({ data: String(m) }));
    u.on('error', (e) => fin({ err: e.code || String(e) }));
    // Timed from the send: socket setup is not what a refusal's latency is about.
    u.bind(c.sport || 0, () => { u.connect(c.port, c.host, () => { t0 = process.hrtime.bigint(); u.send('ping'); }); });
  } else if (c.op === 'exit') process.exit(0);
});
`;
