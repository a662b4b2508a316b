// `kubesvc version`. The kubesvc version comes from package.json, found by walking up from this
// file (it runs both from src/ under tsx and from dist/src/ once built).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION_INFO } from '../apiserver/version.js';

/** The Kubernetes API version kubesvc serves: the one /version reports (the kubectl dispatcher keys on it). */
export const KUBERNETES_API_VERSION = `${VERSION_INFO.major}.${VERSION_INFO.minor}`;

export function kubesvcVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'kubesvc' && 'version' in pkg) {
        return String(pkg.version);
      }
    } catch {
      // no package.json here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

export function versionText(): string {
  return `kubesvc v${kubesvcVersion()} (Kubernetes API ${KUBERNETES_API_VERSION}, Node.js ${process.version})\n`;
}
