import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RESOURCES, isReview } from '../resources.js';
import { generatedJson } from './generate.js';
import { COMPONENT_EXTENSIONS, ENUMS, PROPERTY_EXTENSIONS, moduleOf, packageOf } from './extensions.js';
import { SCHEMAS, SCHEMA_REF_PREFIX } from './schemas.js';

const committed = readFileSync(new URL('./schemas.generated.json', import.meta.url), 'utf8');

test('the committed schemas.generated.json is what the generator produces now', () => {
  // Fails after a change to RESOURCES, extensions.ts, the generator or kubernetes-types:
  // run `node --import tsx scripts/gen-openapi.ts` and commit the result.
  assert.ok(committed === generatedJson(), 'schemas.generated.json is stale: run node --import tsx scripts/gen-openapi.ts');
});

test('every served kind and list has a schema tagged with its group-version-kind', () => {
  for (const r of RESOURCES) {
    for (const kind of isReview(r) ? [r.kind] : [r.kind, r.listKind]) {
      const name = `${packageOf(moduleOf(r.group, r.version))}.${kind}`;
      const s = SCHEMAS[name];
      assert.ok(s, name);
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: r.group, kind, version: r.version }], name);
      assert.ok(typeof s.description === 'string' && s.description.length > 10, `${name} has a description`);
    }
  }
});

test('the schema set is closed: every $ref names a generated component', () => {
  const refs = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.add(x);
        else walk(x);
      }
    }
  };
  walk(SCHEMAS);
  for (const r of refs) {
    assert.ok(r.startsWith(SCHEMA_REF_PREFIX), r);
    assert.ok(SCHEMAS[r.slice(SCHEMA_REF_PREFIX.length)], `dangling ${r}`);
  }
  assert.ok(refs.size > 100);
});

type Props = Record<string, Record<string, unknown>>;
const props = (name: string) => SCHEMAS[name].properties as Props;

test('Kubernetes facts: merge keys, list types, int-or-string, formats, required', () => {
  const ports = props('io.k8s.api.core.v1.ServiceSpec').ports;
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(ports['x-kubernetes-list-type'], 'map');
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.deepEqual(ports.items, { $ref: `${SCHEMA_REF_PREFIX}io.k8s.api.core.v1.ServicePort` });

  const containers = props('io.k8s.api.core.v1.PodSpec').containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);

  const sp = SCHEMAS['io.k8s.api.core.v1.ServicePort'];
  assert.deepEqual(sp.required, ['port']);
  const p = sp.properties as Props;
  assert.deepEqual(p.port.type, 'integer');
  assert.deepEqual(p.port.format, 'int32');
  assert.deepEqual(p.targetPort.allOf, [{ $ref: `${SCHEMA_REF_PREFIX}io.k8s.apimachinery.pkg.util.intstr.IntOrString` }]);
  assert.match(String(p.targetPort.description), /^Number or name of the port/);

  const ios = SCHEMAS['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios['x-kubernetes-int-or-string'], true);
  assert.equal(ios.format, 'int-or-string');

  assert.equal(SCHEMAS['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
  assert.equal(props('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').generation.format, 'int64');
  assert.deepEqual(props('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').labels, {
    description: props('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').labels.description,
    type: 'object',
    additionalProperties: { type: 'string' },
  });
  assert.ok(SCHEMAS['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(SCHEMAS['io.k8s.apimachinery.pkg.api.resource.Quantity']);
});

test('every entry of the facts table names a generated component and property (no silent typos)', () => {
  for (const table of [PROPERTY_EXTENSIONS, ENUMS]) {
    for (const [component, byProp] of Object.entries(table)) {
      assert.ok(SCHEMAS[component], component);
      for (const prop of Object.keys(byProp)) assert.ok(props(component)[prop], `${component}.${prop}`);
    }
  }
  for (const component of Object.keys(COMPONENT_EXTENSIONS)) assert.ok(SCHEMAS[component], component);
  assert.deepEqual(props('io.k8s.api.core.v1.ServiceSpec').type.enum, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
});
