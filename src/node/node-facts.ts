// The machine facts a Node object reports (capacity and nodeInfo), read once at start-up. Split
// from the registration so tests can inject fixed facts.
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';

export interface NodeFacts {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** GOARCH spelling (amd64, arm64), as kubernetes.io/arch. */
  architecture: string;
  operatingSystem: string;
}

/** Node's process.arch → Go's GOARCH, which Kubernetes labels use. */
export function goArch(a: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[a] ?? a;
}

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const text = readTrim('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m ? m[1] : process.platform;
}

export function readNodeFacts(dataDir: string): NodeFacts {
  let storage = 0;
  try {
    const s = statfsSync(dataDir);
    storage = s.blocks * s.bsize;
  } catch {
    // data dir not there yet: report 0 rather than guess
  }
  return {
    hostname: hostname().toLowerCase(),
    cpus: cpus().length || 1,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: storage,
    machineID: readTrim('/etc/machine-id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(arch()),
    operatingSystem: process.platform,
  };
}
