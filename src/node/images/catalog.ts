// The image catalog. Images have no filesystem here, so a known image name selects a built-in
// entrypoint (a small Node program) and the image's default command; any `command` runs on the
// host's filesystem inside the sandbox. Kubernetes' rules apply: `command` replaces ENTRYPOINT,
// `args` replaces CMD.
import type { Container } from 'kubernetes-types/core/v1.js';

/** Built-in programs, addressed by the path the real image keeps them at. */
export const BUILTIN_PROGRAMS: Readonly<Record<string, string>> = {
  '/agnhost': 'agnhost',
  '/pause': 'pause',
  '/http-echo': 'http-echo',
  '/whoami': 'whoami',
  '/kubesvc/nginx': 'nginx',
  '/kubesvc/httpd': 'httpd',
};

interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  /** Debian busybox applets come first on PATH, as in the image. */
  busybox?: boolean;
}

const CATALOG: Readonly<Record<string, ImageConfig>> = {
  nginx: { entrypoint: [], cmd: ['/kubesvc/nginx'] },
  httpd: { entrypoint: [], cmd: ['/kubesvc/httpd'] },
  busybox: { entrypoint: [], cmd: ['sh'], busybox: true },
  alpine: { entrypoint: [], cmd: ['/bin/sh'], busybox: true },
  'registry.k8s.io/e2e-test-images/agnhost': { entrypoint: ['/agnhost'], cmd: [], busybox: true },
  'registry.k8s.io/pause': { entrypoint: ['/pause'], cmd: [] },
  'k8s.gcr.io/pause': { entrypoint: ['/pause'], cmd: [] },
  'hashicorp/http-echo': { entrypoint: ['/http-echo'], cmd: [] },
  'traefik/whoami': { entrypoint: ['/whoami'], cmd: [] },
  'containous/whoami': { entrypoint: ['/whoami'], cmd: [] },
  // Names the Kubernetes docs and tutorials use for the same programs (StatefulSet basics, Debug
  // Services, e2e images from older registries).
  'registry.k8s.io/nginx-slim': { entrypoint: [], cmd: ['/kubesvc/nginx'] },
  'k8s.gcr.io/nginx-slim': { entrypoint: [], cmd: ['/kubesvc/nginx'] },
  'registry.k8s.io/e2e-test-images/nginx': { entrypoint: [], cmd: ['/kubesvc/nginx'] },
  'registry.k8s.io/serve_hostname': { entrypoint: ['/agnhost', 'serve-hostname'], cmd: [] },
  'k8s.gcr.io/serve_hostname': { entrypoint: ['/agnhost', 'serve-hostname'], cmd: [] },
  'registry.k8s.io/e2e-test-images/busybox': { entrypoint: [], cmd: ['sh'], busybox: true },
  'k8s.gcr.io/e2e-test-images/agnhost': { entrypoint: ['/agnhost'], cmd: [], busybox: true },
  'registry.k8s.io/busybox': { entrypoint: [], cmd: ['sh'], busybox: true },
};

export const CATALOG_NAMES = ['nginx', 'httpd', 'busybox', 'alpine', 'registry.k8s.io/e2e-test-images/agnhost', 'registry.k8s.io/pause', 'hashicorp/http-echo', 'traefik/whoami'];

/** `docker.io/library/nginx:1.27@sha256:…` → `nginx`. */
export function normalizeImage(image: string): string {
  let s = image.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return s.replace(/^library\//, '');
}

export type Resolved =
  | { ok: true; argv: string[]; builtin?: string; busybox: boolean }
  | { ok: false; reason: 'ErrImagePull'; message: string };

/** Kubernetes' $(VAR) expansion in command and args: defined variables expand, $$ escapes, others stay. */
export function expandVars(s: string, env: ReadonlyMap<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && env.has(name) ? env.get(name)! : m;
  });
}

export function resolveEntrypoint(container: Container, env: ReadonlyMap<string, string>): Resolved {
  const image = container.image ?? '';
  const known = CATALOG[normalizeImage(image)];
  const command = container.command?.map((a) => expandVars(a, env));
  const args = container.args?.map((a) => expandVars(a, env));
  if (!known && !command?.length) {
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `image "${image}" has no built-in entrypoint in kubesvc, which does not pull images: use one of ${CATALOG_NAMES.join(', ')}, or set the container's command to a program on this host`,
    };
  }
  const argv = command?.length ? [...command, ...(args ?? [])] : [...(known?.entrypoint ?? []), ...(args ?? known?.cmd ?? [])];
  if (argv.length === 0) return { ok: false, reason: 'ErrImagePull', message: `image "${image}" has no default command: set the container's command` };
  const builtin = BUILTIN_PROGRAMS[argv[0]];
  return { ok: true, argv, builtin, busybox: known?.busybox ?? false };
}
