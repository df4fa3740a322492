// An image with iperf3 for the network benchmarks, built from the host's iperf3 binary and the
// libraries `ldd` lists, on top of k8ts/busybox (a shell and `sleep` for the pods that only
// wait to be exec'd into). iperf3 is what CNI benchmarks measure pod-to-pod throughput with;
// no registry is reachable here, so it is built locally like the cluster's own images.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES } from '@k8ts/cli';
import { copyDeref, sharedLibraries } from '../../../packages/cli/src/images/build.js';

const IPERF3 = '/usr/bin/iperf3';
const LABEL = 'io.k8ts.bench.iperf3-base';

/** Builds the image unless present; returns its pinned tag (k8ts/iperf3:<the binary's version>). */
export function buildIperf3Image(): string {
  if (!existsSync(IPERF3)) throw new Error(`${IPERF3} not found: apt-get install -y iperf3`);
  const version = /iperf (\d+(?:\.\d+)+)/.exec(execFileSync(IPERF3, ['--version'], { encoding: 'utf8' }))?.[1];
  if (!version) throw new Error('cannot read the version of iperf3');
  const tag = `k8ts/iperf3:${version}`;
  // Built by this function (the label), not another image of that name.
  const label = (() => {
    try {
      return execFileSync('docker', ['image', 'inspect', '-f', `{{index .Config.Labels "${LABEL}"}}`, tag], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  })();
  if (label === IMAGES.busybox) return tag;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-iperf3-'));
  try {
    for (const f of [IPERF3, ...sharedLibraries(IPERF3)]) copyDeref(f, join(dir, 'rootfs', f));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${IMAGES.busybox}\nCOPY rootfs/ /\n`);
    execFileSync('docker', ['build', '-q', '-t', tag, '--label', `${LABEL}=${IMAGES.busybox}`, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}
