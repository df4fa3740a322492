// POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: authentication.k8s.io/v1
// TokenRequest (kube-apiserver's pkg/registry/core/serviceaccount/storage/token.go). Mints a
// JWT for the service account, optionally bound to a Pod, Secret or Node that must exist.
import { randomUUID } from 'node:crypto';
import { isDNS1123Subdomain, type KubeObject } from '@k8ts/api';
import type { WriteOpts } from '../registry/types.js';
import type { EtcdRegistry } from '../registry/registry.js';
import * as errs from '../registry/errors.js';
import { isNotFound } from '@k8ts/client';
import type { SigningKey } from './keys.js';
import { signToken, type KubernetesClaims, type ObjectRef } from './jwt.js';
import type { ServiceAccountCaches } from './object-cache.js';

export const MIN_EXPIRATION_SECONDS = 600;
export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const BOUND_KINDS = ['Pod', 'Secret', 'Node'];

export interface TokenRequestOptions {
  key: SigningKey;
  /** The first --service-account-issuer: the one tokens are issued with. */
  issuer: string;
  apiAudiences: readonly string[];
  /** Written through at once, so a token minted now authenticates before the watch catches up. */
  caches?: Pick<ServiceAccountCaches, 'serviceaccounts' | 'pods' | 'secrets'>;
  now?: () => number;
}

interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { kind: string; apiVersion?: string; name: string; uid?: string };
}

const invalid = (name: string, field: string, message: string) => errs.invalid('TokenRequest', name, [{ field, message }], 'authentication.k8s.io');

/** The request's spec, checked as ValidateTokenRequest does; every fault is a 400 or 422. */
export function decodeTokenRequest(name: string, namespace: string, body: unknown): TokenRequestSpec {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errs.badRequest('the request body must be a TokenRequest object');
  const b = body as Record<string, any>;
  if (b.kind !== undefined && b.kind !== 'TokenRequest') throw errs.badRequest(`the kind of the provided object (${String(b.kind)}) does not match TokenRequest`);
  if (b.apiVersion !== undefined && b.apiVersion !== 'authentication.k8s.io/v1') throw errs.badRequest(`the apiVersion of the provided object (${String(b.apiVersion)}) is not authentication.k8s.io/v1`);
  const m = b.metadata;
  if (m !== undefined && m !== null && (typeof m !== 'object' || Array.isArray(m))) throw errs.badRequest('metadata must be an object');
  if (m?.name !== undefined && m.name !== '' && m.name !== name) throw errs.badRequest('the name of the TokenRequest does not match the service account name in the URL');
  if (m?.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) throw errs.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const spec = b.spec ?? {};
  if (typeof spec !== 'object' || Array.isArray(spec)) throw invalid(name, 'spec', `Invalid value: ${JSON.stringify(spec)}: must be an object`);
  const audiences = spec.audiences ?? [];
  if (!Array.isArray(audiences) || audiences.some((a: unknown) => typeof a !== 'string' || a === '')) {
    throw invalid(name, 'spec.audiences', 'Invalid value: must be a list of non-empty strings');
  }
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isSafeInteger(exp)) throw invalid(name, 'spec.expirationSeconds', `Invalid value: ${JSON.stringify(exp)}: must be an integer`);
  if (exp < MIN_EXPIRATION_SECONDS) throw invalid(name, 'spec.expirationSeconds', `Invalid value: ${exp}: may not specify a duration less than 10 minutes`);
  if (exp > MAX_EXPIRATION_SECONDS) throw invalid(name, 'spec.expirationSeconds', `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds`);
  return { audiences: [...audiences], expirationSeconds: exp, boundObjectRef: decodeBoundRef(name, spec.boundObjectRef) };
}

function decodeBoundRef(name: string, ref: unknown): TokenRequestSpec['boundObjectRef'] {
  if (ref === undefined || ref === null) return undefined;
  if (typeof ref !== 'object' || Array.isArray(ref)) throw invalid(name, 'spec.boundObjectRef', 'Invalid value: must be an object');
  const r = ref as Record<string, unknown>;
  if (typeof r.kind !== 'string' || !BOUND_KINDS.includes(r.kind)) {
    throw invalid(name, 'spec.boundObjectRef.kind', `Unsupported value: ${JSON.stringify(r.kind)}: supported values: "Pod", "Secret", "Node"`);
  }
  if (r.apiVersion !== undefined && r.apiVersion !== 'v1') throw invalid(name, 'spec.boundObjectRef.apiVersion', `Unsupported value: ${JSON.stringify(r.apiVersion)}: supported values: "v1"`);
  if (typeof r.name !== 'string' || !r.name) throw invalid(name, 'spec.boundObjectRef.name', 'Required value');
  const bad = isDNS1123Subdomain(r.name);
  if (bad.length) throw invalid(name, 'spec.boundObjectRef.name', `Invalid value: ${JSON.stringify(r.name)}: ${bad[0]}`);
  if (r.uid !== undefined && typeof r.uid !== 'string') throw invalid(name, 'spec.boundObjectRef.uid', 'Invalid value: must be a string');
  return { kind: r.kind, apiVersion: 'v1', name: r.name, uid: (r.uid as string | undefined) || undefined };
}

async function getOrUndefined(registry: EtcdRegistry, resource: string, ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await registry.get(resource, ns, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The bound object, checked as Kubernetes checks it: it exists, its uid matches, a pod runs as this service account. */
async function resolveBinding(registry: EtcdRegistry, ns: string, saName: string, ref: NonNullable<TokenRequestSpec['boundObjectRef']>): Promise<{ claims: Partial<KubernetesClaims>; obj: KubeObject }> {
  const resource = ref.kind === 'Pod' ? 'pods' : ref.kind === 'Secret' ? 'secrets' : 'nodes';
  const obj = await getOrUndefined(registry, resource, ref.kind === 'Node' ? '' : ns, ref.name);
  if (!obj) throw errs.notFound(resource, ref.name);
  const uid = obj.metadata.uid ?? '';
  if (ref.uid && ref.uid !== uid) {
    throw errs.conflict(resource, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const self: ObjectRef = { name: ref.name, uid };
  if (ref.kind === 'Secret') return { claims: { secret: self }, obj };
  if (ref.kind === 'Node') return { claims: { node: self }, obj };
  const podSa = obj.spec?.serviceAccountName || 'default';
  if (podSa !== saName) throw errs.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  const claims: Partial<KubernetesClaims> = { pod: self };
  const nodeName = obj.spec?.nodeName;
  const node = nodeName ? await getOrUndefined(registry, 'nodes', '', nodeName) : undefined;
  if (node) claims.node = { name: nodeName!, uid: node.metadata.uid ?? '' };
  return { claims, obj };
}

/** The serviceaccounts/token handler for registry.registerSubresource. */
export function tokenRequestHandler(registry: EtcdRegistry, o: TokenRequestOptions) {
  const now = o.now ?? Date.now;
  return async (ns: string, name: string, body: KubeObject, opts: WriteOpts, admit: (obj: KubeObject) => Promise<void>): Promise<KubeObject> => {
    const spec = decodeTokenRequest(name, ns, body);
    const request = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences: spec.audiences.length ? spec.audiences : [...o.apiAudiences], expirationSeconds: spec.expirationSeconds, ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}) },
    } as unknown as KubeObject;
    await admit(request);
    const sa = await registry.get('serviceaccounts', ns, name);
    const bound = spec.boundObjectRef ? await resolveBinding(registry, ns, name, spec.boundObjectRef) : undefined;
    const iat = Math.floor(now() / 1000);
    const exp = iat + spec.expirationSeconds;
    const expirationTimestamp = new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (opts.dryRun) return { ...request, status: { token: '', expirationTimestamp } } as KubeObject;
    o.caches?.serviceaccounts.observe(sa);
    if (bound?.claims.pod) o.caches?.pods.observe(bound.obj);
    if (bound?.claims.secret) o.caches?.secrets.observe(bound.obj);
    const token = await signToken(o.key, {
      iss: o.issuer,
      sub: `system:serviceaccount:${ns}:${name}`,
      aud: request.spec.audiences as string[],
      exp,
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': { namespace: ns, serviceaccount: { name, uid: sa.metadata.uid ?? '' }, ...(bound?.claims ?? {}) },
    });
    return { ...request, status: { token, expirationTimestamp } } as KubeObject;
  };
}
