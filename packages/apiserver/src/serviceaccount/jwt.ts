// Bound service account tokens: JWTs with Kubernetes' claims (pkg/serviceaccount/claims.go).
// Signing goes through jose; verification is synchronous over node:crypto, so the
// authenticator answers from memory with no await on the request path.
import { verify as cryptoVerify } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey, VerificationKey } from './keys.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** go-jose's DefaultLeeway, which kube-apiserver's validator uses for exp and nbf. */
export const LEEWAY_SECONDS = 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The private `kubernetes.io` claim. */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaims;
}

export async function signToken(key: SigningKey, claims: ServiceAccountClaims): Promise<string> {
  return new SignJWT(claims as unknown as Record<string, unknown>).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}

/** Why a token was refused; the authenticator logs it, the client sees only 401. */
export class TokenInvalid extends Error {}

interface Parsed {
  header: { alg?: unknown; kid?: unknown };
  payload: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
}

function b64json(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new TokenInvalid('malformed token');
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenInvalid('malformed token');
  }
}

/** The three parts of a compact JWS, or undefined when `token` is not one (so it is not this authenticator's). */
export function parseJwt(token: string): Parsed | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  let header: unknown;
  let payload: unknown;
  try {
    header = b64json(parts[0]);
    payload = b64json(parts[1]);
  } catch {
    return undefined;
  }
  if (!isObject(header) || !isObject(payload)) return undefined;
  if (!/^[A-Za-z0-9_-]*$/.test(parts[2])) return undefined;
  return { header, payload, signed: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], 'base64url') };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const HASHES: Record<string, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

/** True when one of `keys` (the header's kid first, then any of the alg) verifies the signature. */
export function signatureValid(p: Parsed, keys: readonly VerificationKey[]): boolean {
  const alg = p.header.alg;
  if (typeof alg !== 'string' || !HASHES[alg]) return false;
  const kid = typeof p.header.kid === 'string' ? p.header.kid : undefined;
  const candidates = keys.filter((k) => k.alg === alg && (!kid || k.kid === kid));
  for (const k of candidates) {
    const ok = cryptoVerify(HASHES[alg], p.signed, alg.startsWith('ES') ? { key: k.key, dsaEncoding: 'ieee-p1363' } : k.key, p.signature);
    if (ok) return true;
  }
  return false;
}

/** The audience claim as a list (a JWT may carry one string). */
export function audiences(payload: Record<string, unknown>): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  return [];
}

/** exp/nbf against `nowSeconds` with go-jose's leeway; throws TokenInvalid. */
export function checkTimes(payload: Record<string, unknown>, nowSeconds: number): void {
  const { exp, nbf } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenInvalid('token has no expiry');
  if (nowSeconds > exp + LEEWAY_SECONDS) throw new TokenInvalid('service account token has expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nowSeconds + LEEWAY_SECONDS < nbf)) throw new TokenInvalid('service account token is not valid yet');
}

/** The kubernetes.io claim checked for shape: namespace, serviceaccount{name,uid}, optional pod/secret/node refs. */
export function kubernetesClaims(payload: Record<string, unknown>): KubernetesClaims {
  const k = payload['kubernetes.io'];
  if (!isObject(k) || typeof k.namespace !== 'string' || !k.namespace) throw new TokenInvalid('token lacks the kubernetes.io claim');
  const ref = (v: unknown, what: string): ObjectRef | undefined => {
    if (v === undefined) return undefined;
    if (!isObject(v) || typeof v.name !== 'string' || typeof v.uid !== 'string' || !v.name) throw new TokenInvalid(`malformed ${what} claim`);
    return { name: v.name, uid: v.uid };
  };
  const serviceaccount = ref(k.serviceaccount, 'serviceaccount');
  if (!serviceaccount) throw new TokenInvalid('token lacks the serviceaccount claim');
  return { namespace: k.namespace, serviceaccount, pod: ref(k.pod, 'pod'), secret: ref(k.secret, 'secret'), node: ref(k.node, 'node') };
}
