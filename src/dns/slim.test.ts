import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { slimPod, slimService, slimSlice } from './slim.js';
import { ZoneIndex } from './zone-index.js';

const svc = (name: string, spec: Service['spec']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', uid: 'u-1', resourceVersion: '7', creationTimestamp: '2026-11-22T00:00:00Z', labels: { app: name }, annotations: { a: 'b' } },
  spec: { selector: { app: name }, sessionAffinity: 'None', ipFamilies: ['IPv4'], internalTrafficPolicy: 'Cluster', ...spec },
});
const services: Service[] = [
  svc('web', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }),
  svc('dual', { clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.21', 'fd00::21'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
  svc('hl', { clusterIP: 'None', clusterIPs: ['None'], publishNotReadyAddresses: true, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('ext', { type: 'ExternalName', externalName: 'example.org' }),
];
const slice: EndpointSlice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'hl-1', namespace: 'default', resourceVersion: '9', labels: { 'kubernetes.io/service-name': 'hl', 'endpointslice.kubernetes.io/managed-by': 'x' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-22T00:00:01Z' } },
  addressType: 'IPv4',
  endpoints: [
    { addresses: ['10.244.0.2'], hostname: 'a', conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n', targetRef: { kind: 'Pod', name: 'a' } },
    { addresses: ['10.244.0.3'], conditions: { ready: false } },
    { addresses: ['10.244.0.4'] },
  ],
  ports: [{ name: 'dns', port: 53, protocol: 'UDP', appProtocol: 'dns' }],
};
const pods: Pod[] = [
  { metadata: { name: 'a', namespace: 'default', resourceVersion: '3' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: '10.244.0.2', podIPs: [{ ip: '10.244.0.2' }] } },
  { metadata: { name: 'h', namespace: 'default' }, spec: { hostNetwork: true, containers: [] }, status: { podIP: '192.0.2.1' } },
];

function load(transform: boolean): ZoneIndex {
  const idx = new ZoneIndex('cluster.local');
  for (const s of services) idx.setService(transform ? slimService(s) : s, true);
  idx.setSlice(transform ? slimSlice(slice) : slice, true);
  for (const p of pods) idx.setPod(transform ? slimPod(p) : p, true);
  return idx;
}

test('the index built from slim objects answers exactly as from the full ones', () => {
  const full = load(false);
  const slim = load(true);
  for (const name of ['web', 'dual', 'hl', 'ext']) assert.deepEqual(slim.service('default', name), full.service('default', name), name);
  for (const ip of ['10.96.0.20', 'fd00::21', '10.244.0.2', '10.244.0.3', '10.244.0.4']) assert.deepEqual(slim.ptr(ip), full.ptr(ip), ip);
  for (const ip of ['10.244.0.2', '192.0.2.1']) assert.equal(slim.podExists('default', ip), full.podExists('default', ip), ip);
});

test('slim objects keep what the informer needs and drop the rest', () => {
  const s = slimService(services[0]!);
  assert.deepEqual(s, { metadata: { name: 'web', namespace: 'default', resourceVersion: '7', creationTimestamp: '2026-11-22T00:00:00Z' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  const e = slimSlice(slice);
  assert.deepEqual(e.metadata, { name: 'hl-1', namespace: 'default', resourceVersion: '9', labels: { 'kubernetes.io/service-name': 'hl' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-22T00:00:01Z' } });
  assert.deepEqual(e.endpoints[0], { addresses: ['10.244.0.2'], hostname: 'a', conditions: { ready: true } });
  assert.deepEqual(e.endpoints[2], { addresses: ['10.244.0.4'] });
});
