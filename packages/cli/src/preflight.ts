// What `k8ts up` needs from the machine, checked before anything starts, each with the
// step that fixes it.
import { execFileSync } from 'node:child_process';

export interface Check {
  name: string;
  ok: boolean;
  fatal: boolean;
  help: string;
}

function has(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function preflight(): Check[] {
  const root = process.getuid?.() === 0;
  return [
    { name: 'Docker engine', ok: has('docker', ['info']), fatal: true, help: 'start the Docker engine (scripts/setup.sh installs and starts it: apt-get install docker.io; dockerd &)' },
    { name: 'etcd', ok: has('etcd', ['--version']), fatal: true, help: 'install etcd (apt-get install etcd-server), or run scripts/setup.sh' },
    { name: 'iptables', ok: has('iptables', ['--version']), fatal: false, help: 'install iptables (apt-get install iptables); without it Services have no virtual IPs' },
    { name: 'docker-registry', ok: has('docker-registry', ['--version']), fatal: false, help: 'install the Distribution registry (apt-get install docker-registry); without it the cluster has no registry: `:latest` images and `k8ts images push` do not work, machines get the images copied' },
    { name: 'root (for the proxy)', ok: root, fatal: false, help: 'run `k8ts up` as root (sudo) so the proxy can program iptables; without it Services have no virtual IPs' },
  ];
}
