// The DNS benches' records, loaded through the in-process registry: `services` ClusterIP Services
// (one named port each) in namespace `bench`, and a headless Service `big` over `pods` Running pods
// with hostnames (StatefulSet-style names), their EndpointSlices written directly (100 per slice).
import type { Registry } from '../../src/registry/index.js';

export function podIP(i: number): string {
  return `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Creates the records (namespace `bench` must exist); returns the Services' ClusterIPs in order. */
export async function loadRecords(r: Registry, services: number, pods: number): Promise<string[]> {
  const ips: string[] = [];
  for (let i = 0; i < services; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, services - i) }, (_, k) =>
        r.create('/services', 'bench', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i + k}` }, spec: { ports: [{ name: 'http', port: 80 }] } }),
      ),
    );
    for (const s of batch) ips.push((s as unknown as { spec: { clusterIP: string } }).spec.clusterIP);
  }
  await r.create('/services', 'bench', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big' }, spec: { clusterIP: 'None', selector: { app: 'big' }, ports: [{ name: 'http', port: 80 }] } });
  for (let i = 0; i < pods; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, pods - i) }, async (_, k) => {
        const n = i + k;
        const pod = await r.create('/pods', 'bench', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `big-${n}`, labels: { app: 'big' } },
          spec: { nodeName: 'node-1', hostname: `big-${n}`, subdomain: 'big', containers: [{ name: 'c', image: 'busybox' }] },
        });
        await r.updateStatus('/pods', 'bench', `big-${n}`, { ...pod, status: { phase: 'Running', podIP: podIP(n), podIPs: [{ ip: podIP(n) }] } });
      }),
    );
  }
  for (let s = 0; s < pods; s += 100) {
    await r.create('discovery.k8s.io/endpointslices', 'bench', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `big-${s / 100}`, labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: Math.min(100, pods - s) }, (_, k) => ({ addresses: [podIP(s + k)], hostname: `big-${s + k}`, conditions: { ready: true } })),
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    });
  }
  return ips;
}
