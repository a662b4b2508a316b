// /version and the health endpoints. kubectl's dispatcher picks its minor version from /version.
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+kubesvc',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
