// Response shape negotiation from the Accept header. We always answer JSON (kubectl accepts it
// after asking for protobuf first); what varies is the shape: a meta.k8s.io Table (kubectl get),
// PartialObjectMetadata(List) (metadata-only clients), or the object itself.
import type { IncomingMessage } from 'node:http';
import { notAcceptable } from '../api/errors.js';

export type Shape = 'object' | 'table' | 'partial';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type, ...ps] = part.split(';').map((x) => x.trim());
      const params: Record<string, string> = {};
      for (const p of ps) {
        const i = p.indexOf('=');
        if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((r) => r.type);
}

/** The first acceptable media range decides, as kube-apiserver's negotiation does. */
export function negotiate(req: IncomingMessage): Shape {
  const accept = req.headers.accept;
  if (!accept) return 'object';
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    const jsonish = r.type === 'application/json' || r.type === 'application/yaml' || r.type === '*/*' || r.type === 'application/*';
    const proto = r.type === 'application/vnd.kubernetes.protobuf';
    if (!jsonish && !proto) continue;
    const as = r.params.as;
    if (!as) {
      // A protobuf-only wish is served as JSON (clients fall back); */* and JSON are plain objects.
      return 'object';
    }
    if (r.params.g !== 'meta.k8s.io' || (r.params.v !== 'v1' && r.params.v !== 'v1beta1')) continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'partial';
  }
  if (ranges.some((r) => r.type === 'application/vnd.kubernetes.protobuf')) return 'object';
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}
