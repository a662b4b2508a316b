// What the host must provide before pods can run (issue 5: "checked at start-up"). The answer
// drives the Node's Ready condition: without it the node reports NotReady with this message, and
// the API, controllers and DNS carry on.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number;
  /** PATH to search for the tools. */
  path: string;
}

export interface HostReadiness {
  ready: boolean;
  /** Empty when ready; else one sentence per problem, each saying what to do. */
  problems: string[];
}

/** Tools the pod sandbox and runtime shell out to, with the Debian package that provides each. */
export const REQUIRED_TOOLS: ReadonlyArray<{ tool: string; pkg: string; why: string }> = [
  { tool: 'ip', pkg: 'iproute2', why: 'pod network namespaces, veths and the bridge' },
  { tool: 'nft', pkg: 'nftables', why: 'the service proxy and pod masquerade' },
  { tool: 'unshare', pkg: 'util-linux', why: 'per-pod hostname and /etc files' },
  { tool: 'nsenter', pkg: 'util-linux', why: 'entering pod sandboxes' },
];

export function currentHost(): HostFacts {
  return { platform: process.platform, uid: process.getuid?.() ?? -1, path: process.env.PATH ?? '' };
}

export function findOnPath(tool: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function checkHost(facts: HostFacts, find: (tool: string) => string | undefined = (t) => findOnPath(t, facts.path)): HostReadiness {
  const problems: string[] = [];
  if (facts.platform !== 'linux') {
    problems.push(`pods need Linux network namespaces; this host runs ${facts.platform}`);
    return { ready: false, problems };
  }
  if (facts.uid !== 0) problems.push('pods need root (network namespaces, veths, nftables): run kubesvc up as root, e.g. with sudo');
  const missing = REQUIRED_TOOLS.filter((t) => !find(t.tool));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    problems.push(`missing ${missing.map((m) => m.tool).join(', ')} (${missing.map((m) => m.why).join('; ')}): install with apt-get install ${pkgs.join(' ')}`);
  }
  return { ready: problems.length === 0, problems };
}
