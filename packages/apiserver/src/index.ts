// @k8ts/apiserver: the apiserver process in a function, and the pieces other packages and
// tests reuse (the proto path, token files, the registry).
export { startApiServer, type ApiServer, type ApiServerOptions } from './server/start.js';
export { ApiServerMetrics } from './server/metrics.js';
export { EtcdRegistry, type EtcdRegistryOptions } from './registry/registry.js';
export type * from './registry/types.js';
export { encodeShared } from './storage/watch-cache/watch-event.js';
export * as statusErrors from './registry/errors.js';
export { Store } from './storage/store.js';
export { createEtcdClient, parseEtcdServers, readEtcdTls, type EtcdTls, type EtcdTlsFiles } from './storage/etcd-client.js';
export { objectKey, listPrefix } from './storage/keys.js';
export { loadTokenFile, parseTokenCsv, createAuthentication, AuthenticatorChain, tokenFileAuthenticator, x509Authenticator, bearerToken, type Authenticate, type Authenticator, type Credentials, type UserInfo, type TokenTable } from './auth/index.js';
export { PROTO_PATH, PROTO_LOADER_OPTIONS, loadK8tsProto, GRPC_SERVER_OPTIONS, grpcCodeFor, toServiceError, renewNodeLease } from './grpc/index.js';
export type { AgentStreamHandler, GrpcContext } from './grpc/index.js';
export { selfSignedCertificate, type TlsKeyPair } from './rest/index.js';
export { APISERVER_NODE_FLAGS } from './node-flags.js';
export { createNodeAuthorizer, NodeAuthorizer, NodeGraph, NODE_RULES, nodeIdentity } from './authz/node/index.js';
export { createNodeRestriction } from './admission/node-restriction.js';
export type { Attributes, Authorizer, AuthorizationResult, Decision } from './authz/types.js';
export { loadAdmissionConfigFile, type PodSecurityConfig } from './admission/pod-security/index.js';
export { createServiceAccountAuthenticator, serviceAccountUsername } from './auth/service-account.js';
export { createServiceAccountAdmission, TOKEN_MOUNT_PATH, ROOT_CA_CONFIGMAP } from './admission/service-account.js';
export { loadServiceAccountKeys, signingKeyFromPem, publicKeysFromPem, keyId } from './serviceaccount/keys.js';
export { DEFAULT_ISSUER } from './serviceaccount/jwt.js';
export { firstServiceIP } from './server/kubernetes-service.js';
export { auditPolicyOf, type AuditLogFlags } from './server/audit-log.js';
export { parsePolicy as parseAuditPolicy, loadPolicy as loadAuditPolicy, type AuditPolicy } from './audit/policy.js';
