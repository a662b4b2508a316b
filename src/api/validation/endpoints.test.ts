// Table-driven: Endpoints and EndpointSlice validation with Kubernetes' texts, through the
// strategies (defaulting first, as the registry does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { formatFieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import { createStrategy as endpointsStrategy } from '../../registry/endpoints/strategy.js';
import { createStrategy as slicesStrategy } from '../../registry/endpointslices/strategy.js';
import type { Strategy, StrategyFactoryContext } from '../../registry/types.js';

const ctx = {} as StrategyFactoryContext;

async function check(factory: typeof endpointsStrategy, obj: object, old?: object): Promise<string[]> {
  const s = (await factory(ctx)) as Strategy;
  const o = structuredClone(obj) as KubeObject;
  s.default?.(o);
  const errs = old ? s.validateUpdate!(o, old as KubeObject) : s.validate!(o);
  return errs.map(formatFieldError);
}

const ep = (subsets: Endpoints['subsets']): Endpoints => ({ metadata: { name: 'web' }, subsets });
const addr = (ip: string) => ({ ip });

const endpointsCases: { name: string; obj: Endpoints; want: string[] }[] = [
  { name: 'valid', obj: ep([{ addresses: [addr('10.244.0.5')], ports: [{ port: 8080 }] }]), want: [] },
  { name: 'no subsets (no ready pods)', obj: ep([]), want: [] },
  { name: 'subset without addresses', obj: ep([{ ports: [{ port: 80 }] }]), want: ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'] },
  {
    name: 'bad IP',
    obj: ep([{ addresses: [addr('10.244.0.999')], ports: [{ port: 80 }] }]),
    want: ['subsets[0].addresses[0].ip: Invalid value: "10.244.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)', 'subsets[0].addresses[0].ip: Invalid value: "10.244.0.999": must be a valid IP address'],
  },
  {
    name: 'loopback',
    obj: ep([{ notReadyAddresses: [addr('127.0.0.1')], ports: [{ port: 80 }] }]),
    want: ['subsets[0].notReadyAddresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  },
  {
    name: 'two unnamed ports',
    obj: ep([{ addresses: [addr('10.244.0.5')], ports: [{ port: 80 }, { port: 81 }] }]),
    want: ['subsets[0].ports[0].name: Required value', 'subsets[0].ports[1].name: Required value'],
  },
  {
    name: 'port range and protocol',
    obj: ep([{ addresses: [addr('10.244.0.5')], ports: [{ port: 0, protocol: 'ICMP' }] }]),
    want: ['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'subsets[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  },
];

test('Endpoints validation', async (t) => {
  for (const c of endpointsCases) await t.test(c.name, async () => assert.deepEqual(await check(endpointsStrategy, c.obj), c.want));
});

test("the apiserver's own default/kubernetes Endpoints and EndpointSlice may name a loopback address", async () => {
  const own = { metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [addr('127.0.0.1')], ports: [{ name: 'https', port: 6443 }] }] };
  assert.deepEqual(await check(endpointsStrategy, own), []);
  assert.equal((await check(endpointsStrategy, { ...own, metadata: { name: 'kubernetes', namespace: 'other' } })).length, 1);
  const slice = { metadata: { name: 'kubernetes', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ name: 'https', port: 6443 }] };
  assert.deepEqual(await check(slicesStrategy, slice), []);
  assert.deepEqual(await check(slicesStrategy, { ...slice, metadata: { name: 'web', namespace: 'default' } }), [
    'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
});

test('Endpoints defaulting: protocol TCP', async () => {
  const s = (await endpointsStrategy(ctx)) as Strategy;
  const o = ep([{ addresses: [addr('10.244.0.5')], ports: [{ port: 80 }] }]) as unknown as KubeObject;
  s.default!(o);
  assert.equal((o as unknown as Endpoints).subsets?.[0].ports?.[0].protocol, 'TCP');
});

const slice = (s: Partial<EndpointSlice>): EndpointSlice => ({ metadata: { name: 'web-abc' }, addressType: 'IPv4', endpoints: [], ...s });

const sliceCases: { name: string; obj: EndpointSlice; want: string[] }[] = [
  { name: 'valid', obj: slice({ endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080 }] }), want: [] },
  { name: 'addressType required', obj: slice({ addressType: '' }), want: ['addressType: Required value'] },
  { name: 'addressType value', obj: slice({ addressType: 'IPv5' }), want: ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'] },
  { name: 'no addresses', obj: slice({ endpoints: [{ addresses: [] }] }), want: ['endpoints[0].addresses: Required value: must contain at least 1 address'] },
  { name: 'IPv4 syntax', obj: slice({ endpoints: [{ addresses: ['fd00::1'] }] }), want: ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'] },
  { name: 'IPv6 syntax', obj: slice({ addressType: 'IPv6', endpoints: [{ addresses: ['10.0.0.1'] }] }), want: ['endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address'] },
  { name: 'FQDN one segment', obj: slice({ addressType: 'FQDN', endpoints: [{ addresses: ['localhost'] }] }), want: ['endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots'] },
  {
    name: 'too many addresses',
    obj: slice({ endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.244.${i >> 8}.${(i & 255) + 0}`) }] }),
    want: ['endpoints[0].addresses: Too many: 101: must have at most 100 items'],
  },
  {
    name: '1001 endpoints',
    obj: slice({ endpoints: Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.244.${i >> 8}.${(i & 255) + 0}`] })) }),
    want: ['endpoints: Too many: 1001: must have at most 1000 items'],
  },
  {
    name: 'duplicate port names (defaulted empty)',
    obj: slice({ ports: [{ port: 80 }, { port: 81 }] }),
    want: ['ports[1].name: Duplicate value: ""'],
  },
  {
    name: 'port protocol',
    obj: slice({ ports: [{ name: 'a', port: 80, protocol: 'HTTP' }] }),
    want: ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'hostname',
    obj: slice({ endpoints: [{ addresses: ['10.244.0.5'], hostname: 'Web_1' }] }),
    want: [
      `endpoints[0].hostname: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
  },
];

test('EndpointSlice validation', async (t) => {
  for (const c of sliceCases) await t.test(c.name, async () => assert.deepEqual(await check(slicesStrategy, c.obj), c.want));
  assert.deepEqual(await check(slicesStrategy, slice({ addressType: 'IPv6' }), slice({})), ['addressType: Invalid value: "IPv6": field is immutable']);
  // Exactly 1000 endpoints is fine.
  assert.deepEqual(await check(slicesStrategy, slice({ endpoints: Array.from({ length: 1000 }, (_, i) => ({ addresses: [`10.244.${i >> 8}.${(i & 255) + 0}`] })) })), []);
});
