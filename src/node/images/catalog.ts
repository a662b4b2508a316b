// The image catalog. Images have no filesystem here, so a known image name selects a built-in
// entrypoint (a small Node program) and the image's default command; any `command` runs on the
// host's filesystem inside the sandbox. Kubernetes' rules apply: `command` replaces ENTRYPOINT,
// `args` replaces CMD.
import type { Container } from 'kubernetes-types/core/v1.js';
import { CURL_ENTRYPOINT, NETSHOOT_SHELL } from './programs/tool-shells.js';

/** Built-in programs, addressed by the path the real image keeps them at. */
export const BUILTIN_PROGRAMS: Readonly<Record<string, string>> = {
  '/agnhost': 'agnhost',
  '/pause': 'pause',
  '/http-echo': 'http-echo',
  '/whoami': 'whoami',
  '/kubesvc/nginx': 'nginx',
  '/kubesvc/httpd': 'httpd',
  // The tutorial images (programs/).
  '/kubesvc/echoserver': 'echoserver',
  '/kubesvc/echo-server': 'echo-server',
  '/kubesvc/hello-app': 'hello-app',
  '/kubesvc/nginx-hello': 'nginx-hello',
};

interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  /** Debian busybox applets come first on PATH, as in the image. */
  busybox?: boolean;
  /** The program needs the image's tag (hello-app's version, echoserver's format): `--image-tag=<tag>` follows the entrypoint. */
  passTag?: boolean;
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
  // Images of the Services tutorials (Kubernetes docs, minikube, GKE): programs/ and src/node/README.md.
  'registry.k8s.io/echoserver': { entrypoint: ['/kubesvc/echoserver'], cmd: [], passTag: true },
  'k8s.gcr.io/echoserver': { entrypoint: ['/kubesvc/echoserver'], cmd: [], passTag: true },
  'gcr.io/google_containers/echoserver': { entrypoint: ['/kubesvc/echoserver'], cmd: [], passTag: true },
  'gcr.io/google-containers/echoserver': { entrypoint: ['/kubesvc/echoserver'], cmd: [], passTag: true },
  'kicbase/echo-server': { entrypoint: ['/kubesvc/echo-server'], cmd: [] },
  'gcr.io/google-samples/hello-app': { entrypoint: ['/kubesvc/hello-app'], cmd: [], passTag: true },
  'us-docker.pkg.dev/google-samples/containers/gke/hello-app': { entrypoint: ['/kubesvc/hello-app'], cmd: [], passTag: true },
  'nginxdemos/hello': { entrypoint: ['/kubesvc/nginx-hello'], cmd: [], passTag: true },
  'curlimages/curl': { entrypoint: CURL_ENTRYPOINT, cmd: ['curl'], busybox: true },
  'radial/busyboxplus': { entrypoint: [], cmd: ['sh'], busybox: true },
  'nicolaka/netshoot': { entrypoint: [], cmd: NETSHOOT_SHELL },
};

export const CATALOG_NAMES = ['nginx', 'httpd', 'busybox', 'alpine', 'registry.k8s.io/e2e-test-images/agnhost', 'registry.k8s.io/pause', 'hashicorp/http-echo', 'traefik/whoami', 'registry.k8s.io/echoserver', 'kicbase/echo-server', 'gcr.io/google-samples/hello-app', 'nginxdemos/hello', 'curlimages/curl', 'nicolaka/netshoot'];

/** `docker.io/library/nginx:1.27@sha256:…` → `nginx`. */
export function normalizeImage(image: string): string {
  let s = image.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  s = s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return s.replace(/^library\//, '');
}

/** `registry.k8s.io/echoserver:1.4@sha256:…` → `1.4`; undefined without a tag. */
export function imageTag(image: string): string | undefined {
  const s = image.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  const colon = s.lastIndexOf(':');
  return colon > s.lastIndexOf('/') ? s.slice(colon + 1) : undefined;
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
  const entrypoint = known?.passTag ? [...known.entrypoint, `--image-tag=${imageTag(image) ?? ''}`] : (known?.entrypoint ?? []);
  const argv = command?.length ? [...command, ...(args ?? [])] : [...entrypoint, ...(args ?? known?.cmd ?? [])];
  if (argv.length === 0) return { ok: false, reason: 'ErrImagePull', message: `image "${image}" has no default command: set the container's command` };
  const builtin = BUILTIN_PROGRAMS[argv[0]];
  return { ok: true, argv, builtin, busybox: known?.busybox ?? false };
}
