// Access control for test clusters as `k8ts up` has it (packages/cli/src/components.ts): the
// apiserver authorizes every request with --authorization-mode Node,RBAC (NodeRestriction
// admission is always on), the test itself acts as an admin in system:masters (as a kubectl
// user does), and every component runs with a token of its own identity
// (test/support/identities.ts). A component that needs more than its bootstrap role then
// fails the suite with a 403 instead of passing as a cluster-admin.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { credentialFileBase } from '@k8ts/client';
import { componentIdentity, componentTokens, type Identity } from './identities.js';

/** kube-apiserver's --authorization-mode as `k8ts up` and compose start it. */
export const AUTHORIZATION_MODE = 'Node,RBAC';

export interface ClusterAuthOptions {
  /** Nodes that get a token of their own (system:node:<name> in system:nodes). */
  nodes?: string[];
  /** The test's own token (default: a random one). */
  adminToken?: string;
  /** The admin's user name in the CSV (default `admin`). */
  adminUser?: string;
  /** More lines for the token CSV (users of the test). */
  extraLines?: string;
  /** Audit the components' requests, for componentRefusals() (default true; benchmarks leave it off). */
  audit?: boolean;
}

/** The users the cluster's own components run as: what componentRefusals() looks at. */
const COMPONENT_USERS = ['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy', 'system:k8ts-dns', 'system:k8ts-ingress'];

/** Only the components' and nodes' requests are audited, at ResponseComplete. */
const COMPONENT_AUDIT_POLICY = [
  'apiVersion: audit.k8s.io/v1',
  'kind: Policy',
  'omitStages: [RequestReceived, ResponseStarted]',
  'rules:',
  `- level: Metadata\n  users: [${COMPONENT_USERS.map((u) => `"${u}"`).join(', ')}]`,
  '- level: Metadata\n  userGroups: ["system:nodes"]',
  '- level: None',
  '',
].join('\n');

export interface ClusterAuth {
  /** The test's token: a system:masters user, like the admin kubeconfig of `k8ts up`. */
  adminToken: string;
  /** The token CSV (--token-auth-file). */
  tokenAuthFile: string;
  /** startApiServer's options for this access control. */
  apiserver: { tokenAuthFile: string; authorizationMode: string; auditLogPath?: string; auditPolicyFile?: string };
  /** The same as apiserver/src/main.ts flags. */
  apiserverFlags: string[];
  /** The token of an identity in the CSV (the components', and the nodes named). */
  tokenFor(id: Identity): string;
  /** The token of a component by package name (`scheduler`, `agent` with its node, …). */
  componentToken(pkg: string, nodeName?: string): string;
  /** A 0600 file holding the token of a component, for its --token-file. */
  tokenFile(pkg: string, nodeName?: string): string;
  /**
   * What the components and nodes were refused (403, but for writes into a terminating
   * namespace), one line each, from the apiserver's audit log of their requests. The log is
   * written every 25 ms and at stop: read it after the apiserver stopped.
   */
  componentRefusals(): string[];
}

/**
 * Writes `<dir>/tokens.csv` with the admin, the scheduler, the controller-manager, the proxy,
 * dns and each node named: tokens must be in the file before the apiserver reads it.
 */
export function writeClusterAuth(dir: string, opts: ClusterAuthOptions = {}): ClusterAuth {
  const adminToken = opts.adminToken ?? `admin-${randomBytes(12).toString('hex')}`;
  const ids = componentTokens(opts.nodes ?? []);
  const tokenAuthFile = join(dir, 'tokens.csv');
  const admin = opts.adminUser ?? 'admin';
  writeFileSync(tokenAuthFile, `${adminToken},${admin},uid-${admin},"system:masters"\n${ids.csv()}${opts.extraLines ?? ''}`, { mode: 0o600 });
  const tokenFor = (id: Identity): string => {
    const t = ids.tokens.get(id.user);
    if (!t) throw new Error(`no token for ${id.user}: name the node in writeClusterAuth({ nodes })`);
    return t;
  };
  const auditLogPath = join(dir, 'component-audit.log');
  const auditPolicyFile = join(dir, 'component-audit-policy.yaml');
  const audit = opts.audit ?? true;
  if (audit) writeFileSync(auditPolicyFile, COMPONENT_AUDIT_POLICY);
  const identityOf = (pkg: string, nodeName?: string): Identity => {
    const id = componentIdentity(pkg, nodeName);
    if (!id) throw new Error(`no identity for component ${pkg}`);
    return id;
  };
  return {
    adminToken,
    tokenAuthFile,
    apiserver: { tokenAuthFile, authorizationMode: AUTHORIZATION_MODE, ...(audit ? { auditLogPath, auditPolicyFile } : {}) },
    apiserverFlags: ['--token-auth-file', tokenAuthFile, '--authorization-mode', AUTHORIZATION_MODE, ...(audit ? ['--audit-log-path', auditLogPath, '--audit-policy-file', auditPolicyFile] : [])],
    tokenFor,
    componentToken: (pkg, nodeName) => tokenFor(identityOf(pkg, nodeName)),
    tokenFile(pkg, nodeName) {
      const id = identityOf(pkg, nodeName);
      const file = join(dir, `${credentialFileBase(id)}.token`);
      writeFileSync(file, tokenFor(id), { mode: 0o600 });
      return file;
    },
    componentRefusals: () => {
      if (!audit) throw new Error('componentRefusals: writeClusterAuth({ audit: false }) audits nothing');
      return refusalsIn(auditLogPath);
    },
  };
}

/** The 403s of an audit log: `user verb resource[/sub] ns/name: message`. */
export function refusalsIn(auditLogPath: string): string[] {
  // Every caller ran components, so their requests were logged: no file means no audit at all.
  if (!existsSync(auditLogPath)) throw new Error(`no audit log at ${auditLogPath}: start the apiserver with the ClusterAuth's options or flags`);
  const out: string[] = [];
  for (const line of readFileSync(auditLogPath, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { user?: { username?: string }; verb?: string; requestURI?: string; objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string }; responseStatus?: { code?: number; message?: string } };
    if (e.responseStatus?.code !== 403) continue;
    // NamespaceLifecycle's 403 while a namespace terminates meets every controller whoever it
    // is; the rest (the authorizer's, NodeRestriction's) are about who asked.
    if (/because it is being terminated$/.test(e.responseStatus.message ?? '')) continue;
    const r = e.objectRef;
    const what = r ? `${r.resource}${r.subresource ? `/${r.subresource}` : ''} ${r.namespace ?? ''}/${r.name ?? ''}` : e.requestURI;
    out.push(`${e.user?.username} ${e.verb} ${what}: ${e.responseStatus.message ?? ''}`);
  }
  return out;
}
