// The admission configuration `k8ts up` and compose's `init` give the apiserver
// (--admission-control-config-file): Pod Security enforces `baseline` by default, so the seeds'
// and users' ordinary workloads run while privileged pods, host namespaces, hostPath volumes and
// added capabilities are refused; warn and audit are `baseline` too, so a Deployment whose
// pods would be refused says so when it is applied (a `restricted` warn level would print a
// warning for nearly every manifest). kube-system is exempt. A namespace picks another level
// with the pod-security.kubernetes.io/enforce|warn|audit labels. An existing file is kept, so
// an operator's edits survive `up` and `init`.
import { existsSync, writeFileSync } from 'node:fs';
import type { Home } from './home.js';

export const ADMISSION_CONFIG_FILE = 'admission-config.yaml';

export const ADMISSION_CONFIG = `# kube-apiserver --admission-control-config-file, written by k8ts (kept when present).
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: baseline
        enforce-version: latest
        audit: baseline
        audit-version: latest
        warn: baseline
        warn-version: latest
      exemptions:
        usernames: []
        runtimeClasses: []
        namespaces: [kube-system]
`;

/** Writes the admission configuration under the state directory unless one is there; returns its path. */
export function ensureAdmissionConfig(home: Home): string {
  const path = home.path(ADMISSION_CONFIG_FILE);
  if (!existsSync(path)) writeFileSync(path, ADMISSION_CONFIG, { mode: 0o644 });
  return path;
}
