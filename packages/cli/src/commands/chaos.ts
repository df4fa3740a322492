// Faults on a running cluster, each the way it happens to a real one: a kubelet crash
// (kill-agent), a lost machine (kill-node), a frozen kubelet (pause-agent/resume), a node cut
// off the control plane (partition/heal), a control-plane process dying (kill) and coming
// back (restart). Embedded by default, the compose cluster with --compose.
import { openTarget } from '../target/open.js';
import type { Fault } from '../target/types.js';

export interface ChaosOptions {
  compose?: boolean;
  project?: string;
}

export function nodeFaultAction(fault: Fault) {
  return async (node: string, _o: unknown, cmd: { optsWithGlobals(): ChaosOptions }) => {
    const target = await openTarget(cmd.optsWithGlobals());
    console.log(await target.nodeFault(fault, node));
  };
}

export async function killComponent(name: string, _o: unknown, cmd: { optsWithGlobals(): ChaosOptions }): Promise<void> {
  const target = await openTarget(cmd.optsWithGlobals());
  console.log(await target.kill(name));
}

export async function restartComponent(name: string, _o: unknown, cmd: { optsWithGlobals(): ChaosOptions }): Promise<void> {
  const target = await openTarget(cmd.optsWithGlobals());
  console.log(await target.restart(name));
}

export async function undoAll(_o: unknown, cmd: { optsWithGlobals(): ChaosOptions }): Promise<void> {
  const target = await openTarget(cmd.optsWithGlobals());
  await target.undoAll();
  console.log('every fault undone: partitions healed, paused agents resumed, stopped components started again');
}
