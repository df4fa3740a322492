// Faults on a running embedded cluster, each the way it happens to a real one: a kubelet
// crash (kill-agent), a lost machine (kill-node), a frozen kubelet (pause-agent/resume),
// a control-plane process dying (kill) and coming back (restart).
import Docker from 'dockerode';
import { Home, defaultConfig, nodeNames } from '../home.js';
import { listProcesses, restartDetached, runningPid, signalProcess, stopProcess } from '../processes.js';
import { readFileSync } from 'node:fs';
import { apiGet, trustCertificate } from '../api.js';
import { ensureTokens } from '../tokens.js';

const components = ['apiserver', 'scheduler', 'controller-manager', 'proxy', 'dns', 'etcd'];

function context() {
  const home = new Home();
  const config = home.readConfig();
  if (!config || listProcesses(home).length === 0) throw new Error('k8ts is not running here (`k8ts up` first)');
  return { home, config: { ...defaultConfig, ...config } };
}

function checkNode(name: string): { home: Home } {
  const { home, config } = context();
  const nodes = nodeNames(config);
  if (!nodes.includes(name)) throw new Error(`no node named ${name}; the nodes are ${nodes.join(', ')}`);
  return { home };
}

export async function killAgent(name: string): Promise<void> {
  const { home } = checkNode(name);
  if (!signalProcess(home, name, 'SIGKILL')) throw new Error(`the agent of ${name} is not running`);
  console.log(`killed the agent of ${name}; its pods keep running (as when a kubelet crashes)`);
}

export async function killNode(name: string): Promise<void> {
  const { home } = checkNode(name);
  signalProcess(home, name, 'SIGKILL');
  const docker = new Docker();
  const containers = await docker.listContainers({ filters: { label: [`io.k8ts.node=${name}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).kill().catch(() => undefined)));
  console.log(`node ${name} lost: agent killed and ${containers.length} container(s) killed`);
}

export async function pauseAgent(name: string): Promise<void> {
  const { home } = checkNode(name);
  if (!signalProcess(home, name, 'SIGSTOP')) throw new Error(`the agent of ${name} is not running`);
  console.log(`paused the agent of ${name}: no heartbeats, pods keep running (\`k8ts chaos resume ${name}\`)`);
}

export async function resumeAgent(name: string): Promise<void> {
  const { home } = checkNode(name);
  if (!signalProcess(home, name, 'SIGCONT')) throw new Error(`the agent of ${name} is not running`);
  console.log(`resumed the agent of ${name}`);
}

/** The leader of a leader-elected component, from its Lease. */
async function leaderOf(home: Home, apiPort: number, component: string): Promise<string | undefined> {
  trustCertificate(readFileSync(home.path('apiserver.crt')));
  const lease = await apiGet(`https://127.0.0.1:${apiPort}`, ensureTokens(home).admin, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/k8ts-${component}`).catch(() => undefined);
  return lease?.spec?.holderIdentity;
}

export async function killComponent(name: string): Promise<void> {
  const { home, config } = context();
  const known = [...components, ...nodeNames(config)];
  if (!known.includes(name)) throw new Error(`unknown component ${name}; one of ${known.join(', ')}`);
  if (name === 'scheduler' || name === 'controller-manager') {
    const leader = await leaderOf(home, config.apiPort, name);
    if (leader) console.log(`${name} leader: ${leader}`);
  }
  if (runningPid(home, name) === undefined) throw new Error(`${name} is not running`);
  signalProcess(home, name, 'SIGKILL');
  console.log(`killed ${name}`);
}

export async function restartComponent(name: string): Promise<void> {
  const { home } = context();
  await stopProcess(home, name, 3000);
  const pid = restartDetached(home, name);
  console.log(`restarted ${name} (pid ${pid})`);
}
