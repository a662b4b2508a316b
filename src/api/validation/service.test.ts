// Table-driven: every Service validation rule, through the Service strategy (defaulting,
// normalisation, validation) on a memory store, with Kubernetes' exact message texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { createMemoryStore } from '../../store/memory/memory-store.js';
import { ServiceHarness, errorOf } from '../../registry/services/testing.js';

const base = (spec: Service['spec'], name = 'x', extra: Partial<Service> = {}): Service => ({
  metadata: { name, ...extra.metadata },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
});
const p = (port: number, more: Partial<ServicePort> = {}): ServicePort => ({ port, ...more });
const inv = (body: string, name = 'x') => `Service "${name}" is invalid: ${body}`;

const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const cases: { name: string; svc: Service; want: string }[] = [
  { name: 'ports required', svc: base({ ports: [] }), want: inv('spec.ports: Required value') },
  {
    name: 'two unnamed ports',
    svc: base({ ports: [p(80), p(443)] }),
    want: inv('[spec.ports[0].name: Required value, spec.ports[1].name: Required value]'),
  },
  { name: 'second port unnamed', svc: base({ ports: [p(80, { name: 'http' }), p(443)] }), want: inv('spec.ports[1].name: Required value') },
  {
    name: 'duplicate port name',
    svc: base({ ports: [p(80, { name: 'http' }), p(81, { name: 'http' })] }),
    want: inv('spec.ports[1].name: Duplicate value: "http"'),
  },
  { name: 'port name syntax', svc: base({ ports: [p(80, { name: 'HTTP' })] }), want: inv(`spec.ports[0].name: Invalid value: "HTTP": ${DNS1123_LABEL_MSG}`) },
  { name: 'port 0', svc: base({ ports: [p(0, { targetPort: 80 })] }), want: inv('spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive') },
  { name: 'port too big', svc: base({ ports: [p(70000, { targetPort: 80 })] }), want: inv('spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive') },
  {
    name: 'targetPort too big',
    svc: base({ ports: [p(80, { targetPort: 65536 })] }),
    want: inv('spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive'),
  },
  {
    name: 'named targetPort too long',
    svc: base({ ports: [p(80, { targetPort: 'abcdefghijklmnop' })] }),
    want: inv('spec.ports[0].targetPort: Invalid value: "abcdefghijklmnop": must be no more than 15 characters'),
  },
  {
    name: 'named targetPort without letters',
    svc: base({ ports: [p(80, { targetPort: '8-0' })] }),
    want: inv('spec.ports[0].targetPort: Invalid value: "8-0": must contain at least one letter (a-z)'),
  },
  {
    name: 'named targetPort bad characters',
    svc: base({ ports: [p(80, { targetPort: 'http_x' })] }),
    want: inv('spec.ports[0].targetPort: Invalid value: "http_x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
  },
  {
    name: 'named targetPort double hyphen',
    svc: base({ ports: [p(80, { targetPort: 'a--b' })] }),
    want: inv('spec.ports[0].targetPort: Invalid value: "a--b": must not contain consecutive hyphens'),
  },
  {
    name: 'protocol',
    svc: base({ ports: [p(80, { protocol: 'HTTP' })] }),
    want: inv('spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
  },
  {
    name: 'duplicate port/protocol',
    svc: base({ ports: [p(80, { name: 'a' }), p(80, { name: 'b' })] }),
    want: inv(
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ),
  },
  {
    name: 'duplicate nodePort per protocol',
    svc: base({ type: 'NodePort', ports: [p(80, { name: 'a', nodePort: 30100 }), p(81, { name: 'b', nodePort: 30100 })] }),
    want: inv('spec.ports[1].nodePort: Duplicate value: 30100'),
  },
  {
    name: 'nodePort on ClusterIP',
    svc: base({ ports: [p(80, { nodePort: 30100 })] }),
    want: inv("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
  },
  { name: 'type', svc: base({ type: 'Magic' }), want: inv('spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"') },
  { name: 'externalName required', svc: base({ type: 'ExternalName' }), want: inv('spec.externalName: Required value') },
  {
    name: 'externalName syntax',
    svc: base({ type: 'ExternalName', externalName: 'Bad_Name' }),
    want: inv(
      `spec.externalName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ),
  },
  {
    name: 'externalName with clusterIP',
    svc: base({ type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.50' }),
    want: inv('spec.clusterIPs: Forbidden: may not be set for ExternalName services'),
  },
  {
    name: 'externalName with ipFamilies',
    svc: base({ type: 'ExternalName', externalName: 'example.com', ipFamilies: ['IPv4'] }),
    want: inv('spec.ipFamilies: Forbidden: may not be set for ExternalName services'),
  },
  {
    name: 'headless NodePort',
    svc: base({ type: 'NodePort', clusterIP: 'None' }),
    want: inv(`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`),
  },
  {
    name: 'headless LoadBalancer',
    svc: base({ type: 'LoadBalancer', clusterIP: 'None' }),
    want: inv(`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`),
  },
  {
    name: 'LoadBalancer on kubelet port',
    svc: base({ type: 'LoadBalancer', ports: [p(10250)] }),
    want: inv('spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet'),
  },
  {
    name: 'clusterIP syntax',
    svc: base({ clusterIP: '10.96.0.300' }),
    want: inv('spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
  },
  {
    name: 'clusterIPs first must match',
    svc: base({ clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.51'] }),
    want: inv('spec.clusterIPs: Invalid value: []string{"10.96.0.51"}: first value must match `clusterIP`'),
  },
  {
    name: 'clusterIPs without clusterIP',
    svc: base({ clusterIPs: ['10.96.0.51'] }),
    want: inv('spec.clusterIPs: Invalid value: []string{"10.96.0.51"}: must be empty when `clusterIP` is not specified'),
  },
  {
    name: 'IPv6 clusterIP on an IPv4 cluster',
    svc: base({ clusterIP: 'fd00::10' }),
    want: inv('spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster'),
  },
  {
    name: 'RequireDualStack on single-stack',
    svc: base({ ipFamilyPolicy: 'RequireDualStack' }),
    want: inv('spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'),
  },
  {
    name: 'IPv6 family on IPv4 cluster',
    svc: base({ ipFamilies: ['IPv6'] }),
    want: inv('spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'),
  },
  {
    name: 'ipFamilyPolicy value',
    svc: base({ ipFamilyPolicy: 'Both' }),
    want: inv('spec.ipFamilyPolicy: Unsupported value: "Both": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"'),
  },
  {
    name: 'sessionAffinity value',
    svc: base({ sessionAffinity: 'Cookie' }),
    want: inv('spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'),
  },
  {
    name: 'affinity timeout too big',
    svc: base({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
    want: inv('spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'),
  },
  {
    name: 'affinity timeout zero',
    svc: base({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }),
    want: inv('spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400'),
  },
  {
    name: 'externalIP syntax',
    svc: base({ externalIPs: ['1.2.3'] }),
    want: inv('spec.externalIPs[0]: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
  },
  {
    name: 'externalIP loopback',
    svc: base({ externalIPs: ['127.0.0.5'] }),
    want: inv('spec.externalIPs[0]: Invalid value: "127.0.0.5": may not be in the loopback range (127.0.0.0/8, ::1/128)'),
  },
  {
    name: 'externalIP unspecified',
    svc: base({ externalIPs: ['0.0.0.0'] }),
    want: inv('spec.externalIPs[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'),
  },
  {
    name: 'externalIP link-local',
    svc: base({ externalIPs: ['169.254.1.1'] }),
    want: inv('spec.externalIPs[0]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
  },
  {
    name: 'externalIP link-local multicast',
    svc: base({ externalIPs: ['224.0.0.1'] }),
    want: inv('spec.externalIPs[0]: Invalid value: "224.0.0.1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'),
  },
  {
    name: 'loadBalancerSourceRanges only for LoadBalancer',
    svc: base({ loadBalancerSourceRanges: ['10.0.0.0/8'] }),
    want: inv("spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"),
  },
  {
    name: 'loadBalancerSourceRanges syntax',
    svc: base({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'] }),
    want: inv('spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'),
  },
  {
    name: 'allocateLoadBalancerNodePorts only for LoadBalancer',
    svc: base({ type: 'NodePort', allocateLoadBalancerNodePorts: false }),
    want: inv("spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"),
  },
  {
    name: 'externalTrafficPolicy on ClusterIP',
    svc: base({ externalTrafficPolicy: 'Local' }),
    want: inv('spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'),
  },
  {
    name: 'externalTrafficPolicy value',
    svc: base({ type: 'NodePort', externalTrafficPolicy: 'Global' }),
    want: inv('spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"'),
  },
  {
    name: 'internalTrafficPolicy value',
    svc: base({ internalTrafficPolicy: 'Node' }),
    want: inv('spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"'),
  },
  {
    name: 'healthCheckNodePort without Local',
    svc: base({ type: 'LoadBalancer', healthCheckNodePort: 30500 }),
    want: inv("spec.healthCheckNodePort: Invalid value: 30500: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
  },
  {
    name: 'healthCheckNodePort out of port range',
    svc: base({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 70000 }),
    want: inv('spec.healthCheckNodePort: Invalid value: 70000: must be between 1 and 65535, inclusive'),
  },
  {
    name: 'selector key',
    svc: base({ selector: { 'a b': 'x' } }),
    want: inv(
      `spec.selector: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ),
  },
  {
    name: 'selector value',
    svc: base({ selector: { app: '-x' } }),
    want: inv(
      `spec.selector: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ),
  },
  {
    name: 'loadBalancerClass only for LoadBalancer',
    svc: base({ loadBalancerClass: 'example.com/lb' }),
    want: inv("spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"),
  },
  {
    name: 'trafficDistribution',
    svc: base({ trafficDistribution: 'Nearest' } as Service['spec']),
    want: inv('spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose"'),
  },
];

test('Service validation: every rule with its Kubernetes message', async (t) => {
  for (const c of cases) {
    await t.test(c.name, async () => {
      const h = await ServiceHarness.open(createMemoryStore());
      assert.equal(await errorOf(h.create(c.svc)), c.want);
      // Nothing was allocated for a refused Service.
      assert.equal(h.strategy.allocations.ips.count(), 0);
      assert.equal(h.strategy.allocations.ports.count(), 0);
    });
  }
});

test('valid Services pass', async () => {
  const h = await ServiceHarness.open(createMemoryStore());
  const ok: Service[] = [
    base({}, 'a'),
    base({ ports: [p(80, { name: 'http' }), p(443, { name: 'https' })] }, 'b'),
    base({ ports: [p(53, { name: 'dns', protocol: 'UDP' }), p(53, { name: 'dns-tcp', protocol: 'TCP' })] }, 'c'),
    base({ clusterIP: 'None' }, 'd'),
    base({ type: 'ExternalName', externalName: 'example.com.' }, 'e'),
    base({ type: 'LoadBalancer', loadBalancerSourceRanges: [' 10.0.0.0/8 '] }, 'f'),
    base({ ports: [p(80, { targetPort: 'http' })] }, 'g'),
    base({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } } }, 'h'),
    { metadata: { name: 'i' }, spec: { clusterIP: 'None', selector: { app: 'x' } } },
  ];
  for (const s of ok) await h.create(s);
});
