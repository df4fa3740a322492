// GET /version: kubectl's dispatcher picks its binary from `minor`.
import os from 'node:os';

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-k8ts',
    gitCommit: 'k8ts',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    // How this process runs: compiled by esbuild (pnpm build), or its TypeScript through tsx.
    compiler: import.meta.url.endsWith('.ts') ? 'tsx' : 'esbuild',
    platform: `${os.platform()}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
