// fsGroup as kubelet's SetVolumeOwnership applies it to the volumes it makes for a pod
// (emptyDir, configMap, secret and the folders standing in for other kinds; never hostPath):
// every file and folder is given the group fsGroup, group read (and write, for writable
// volumes) is added, and folders get the setgid bit so new files inherit the group. With
// fsChangePolicy OnRootMismatch a volume whose root already has the group is left alone.
// The containers also get fsGroup as a supplementary group (security-options.ts).
import { chmodSync, chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '@k8ts/api';
import type { PreparedVolume } from './volumes.js';
import { ConfigError } from './config-error.js';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

function walk(path: string, gid: number, readOnly: boolean): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return; // never follow a link out of the volume
  chownSync(path, st.uid, gid);
  let mode = (st.mode & 0o7777) | (readOnly ? RO : RW);
  if (st.isDirectory()) mode |= SETGID | EXEC;
  chmodSync(path, mode);
  if (st.isDirectory()) for (const e of readdirSync(path)) walk(join(path, e), gid, readOnly);
}

export function applyFsGroup(pod: Pod, volumes: Map<string, PreparedVolume>): void {
  const sc = pod.spec?.securityContext;
  const gid = sc?.fsGroup;
  if (gid === undefined || gid === null) return;
  for (const v of pod.spec?.volumes ?? []) {
    const prepared = volumes.get(v.name);
    // hostPath-backed claims too: the kubelet's hostPath plugin manages no ownership.
    if (!prepared || v.hostPath || v.persistentVolumeClaim) continue;
    if (sc?.fsGroupChangePolicy === 'OnRootMismatch' && lstatSync(prepared.hostPath).gid === gid) continue;
    try {
      walk(prepared.hostPath, gid, prepared.readOnly);
    } catch (e) {
      // An agent without the right to chown (not root) cannot honour fsGroup: the pod waits.
      throw new ConfigError(`fsGroup ${gid} cannot be applied to volume "${v.name}": ${(e as Error).message}`);
    }
  }
}
