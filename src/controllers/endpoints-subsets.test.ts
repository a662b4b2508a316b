// Repacking and truncation of Endpoints subsets, as pkg/api/v1/endpoints and the endpoints controller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSubset } from 'kubernetes-types/core/v1.js';
import { repackSubsets, truncateSubsets, type PodEntry } from './endpoints-subsets.js';

const e = (ip: string, ready: boolean, ...ports: [string, number][]): PodEntry => ({
  address: { ip, targetRef: { kind: 'Pod', uid: ip } },
  ready,
  ports: ports.map(([name, port]) => ({ name, port, protocol: 'TCP' })),
});

test('pods with the same ports share a subset; addresses sorted by IP; not-ready apart', () => {
  const subsets = repackSubsets([e('10.0.0.2', true, ['a', 80]), e('10.0.0.10', false, ['a', 80]), e('10.0.0.1', true, ['a', 80])]);
  assert.deepEqual(subsets.length, 1);
  assert.deepEqual(subsets[0]?.addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(subsets[0]?.notReadyAddresses?.map((a) => a.ip), ['10.0.0.10']);
});

test('a port served by a different set of addresses gets its own subset; headless entries have no ports', () => {
  const subsets = repackSubsets([e('10.0.0.1', true, ['http', 80], ['m', 9]), e('10.0.0.2', true, ['http', 81], ['m', 9]), e('10.0.0.3', true)]);
  const shape = subsets.map((s) => [(s.ports ?? []).map((p) => p.port).join(), (s.addresses ?? []).map((a) => a.ip).join()]).sort();
  assert.deepEqual(shape, [
    ['', '10.0.0.3'],
    ['80', '10.0.0.1'],
    ['81', '10.0.0.2'],
    ['9', '10.0.0.1,10.0.0.2'],
  ]);
});

test('over 1000 addresses: ready ones kept first, not-ready cut in proportion', () => {
  const ips = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ ip: `${p}.${i >> 8}.${i & 255}` }));
  const subsets: EndpointSubset[] = [
    { addresses: ips(900, '10.1'), notReadyAddresses: ips(100, '10.2') },
    { addresses: ips(50, '10.3'), notReadyAddresses: ips(300, '10.4') },
  ];
  assert.equal(truncateSubsets(subsets), true);
  assert.equal(subsets[0]?.addresses?.length, 900);
  assert.equal(subsets[1]?.addresses?.length, 50);
  // 50 places left for 400 not-ready ones: ceil(100/400*50)=13, then the remaining 37.
  assert.equal(subsets[0]?.notReadyAddresses?.length, 13);
  assert.equal(subsets[1]?.notReadyAddresses?.length, 37);
  assert.equal(truncateSubsets([{ addresses: ips(10, '10.5') }]), false);
});
