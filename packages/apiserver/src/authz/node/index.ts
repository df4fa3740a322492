// The Node authorizer (kube-apiserver's --authorization-mode=Node): what a `system:node:<name>`
// user in group `system:nodes` may do, from a graph of the pods bound to each node and the
// secrets, configmaps, service accounts and claims they use (graph.ts, fed by the registry's
// watches in graph-populator.ts), and NodeRules() for the rest (node-rules.ts). Anyone else
// gets NoOpinion. Answers are synchronous map reads.
import type { Attributes, AuthorizationResult, Authorizer, AuthorizerDeps, RuleResolver } from '../types.js';
import type { UserInfo } from '../../auth/types.js';
import { NodeGraph } from './graph.js';
import { GraphPopulator } from './graph-populator.js';
import { decide } from './decisions.js';
import { nodeIdentity } from './identity.js';

export { NodeGraph, type VertexType } from './graph.js';
export { NODE_RULES, ruleAllows, rulesAllow } from './node-rules.js';
export { nodeIdentity, isMaster, NODE_USER_PREFIX, NODES_GROUP, type NodeIdentity } from './identity.js';
export { NODE_LEASE_NAMESPACE } from './decisions.js';
export { podRefs } from './pod-refs.js';

export class NodeAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'Node';

  constructor(
    readonly graph: NodeGraph,
    private readonly populator?: GraphPopulator,
  ) {}

  /** Settles once the graph holds every pod the registry listed at start. */
  get ready(): Promise<void> {
    return this.populator?.ready ?? Promise.resolve();
  }

  authorize(a: Attributes): AuthorizationResult {
    const { isNode, nodeName } = nodeIdentity(a.user);
    if (!isNode) return { decision: 'NoOpinion', reason: '' };
    if (!nodeName) return { decision: 'NoOpinion', reason: `unknown node for user "${a.user.name}"` };
    return decide(this.graph, nodeName, a);
  }

  /** As Kubernetes: a node's rules depend on its pods, so they are not listed (incomplete). */
  rulesFor(user: UserInfo, _namespace: string): ReturnType<RuleResolver['rulesFor']> {
    if (!nodeIdentity(user).isNode) return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'node authorizer does not support user rule resolution' };
  }

  stop(): void {
    this.populator?.stop();
  }
}

export function createNodeAuthorizer(deps: AuthorizerDeps): NodeAuthorizer {
  const graph = new NodeGraph();
  return new NodeAuthorizer(graph, new GraphPopulator(deps.registry, graph, deps.logger));
}
