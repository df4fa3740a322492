// Finding the compose cluster's containers by the labels both Compose versions set
// (com.docker.compose.project / .service), never by container name, which differs between them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const execFileP = promisify(execFile);

const PROJECT = 'com.docker.compose.project';
const SERVICE = 'com.docker.compose.service';

export function docker(): Docker {
  return new Docker();
}

/** The container of one service of a project (running or not); undefined when there is none. */
export async function serviceContainer(project: string, service: string): Promise<Docker.ContainerInfo | undefined> {
  const list = await docker().listContainers({ all: true, filters: { label: [`${PROJECT}=${project}`, `${SERVICE}=${service}`] } });
  return list.sort((a, b) => Number(b.State === 'running') - Number(a.State === 'running'))[0];
}

export async function requireServiceContainer(project: string, service: string): Promise<Docker.ContainerInfo> {
  const c = await serviceContainer(project, service);
  if (!c) throw new Error(`the compose project ${project} has no ${service} container (docker compose up -d first)`);
  return c;
}

/** Projects that have a k8ts apiserver container, i.e. compose clusters on this engine. */
export async function composeProjects(): Promise<string[]> {
  const list = await docker().listContainers({ all: true, filters: { label: [`${SERVICE}=apiserver`, 'io.k8ts.image=1'] } });
  return [...new Set(list.map((c) => c.Labels[PROJECT]).filter((p): p is string => !!p))];
}

/** A file's content inside a running container, read with the container's own node. */
export async function readContainerFile(id: string, path: string): Promise<string> {
  const { stdout } = await execFileP('docker', ['exec', id, 'node', '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(path)},'utf8'))`], { encoding: 'utf8', timeout: 30_000 });
  return stdout;
}
