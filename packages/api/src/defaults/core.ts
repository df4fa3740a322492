// core/v1 defaulting for everything but pods (pkg/apis/core/v1/defaults.go) and the
// status the registry strategies give new objects.

type Obj = Record<string, any>;

export function defaultService(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName') {
    spec.internalTrafficPolicy ||= 'Cluster';
    // The registry's IP allocation records the family; this cluster is IPv4 single-stack.
    // Headless services without a selector default to RequireDualStack (they carry no IP).
    const headlessNoSelector = spec.clusterIP === 'None' && (!spec.selector || Object.keys(spec.selector).length === 0);
    spec.ipFamilyPolicy ||= headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  // The registry's normalizeClusterIPs: clusterIP and clusterIPs[0] name the same address.
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) spec.clusterIP = spec.clusterIPs[0];
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
}

export function defaultNamespace(obj: Obj): void {
  obj.spec ??= {};
  if (!obj.spec.finalizers) obj.spec.finalizers = ['kubernetes'];
  obj.status ??= {};
  obj.status.phase ||= 'Active';
  // Since 1.21 every namespace carries its own name as a label.
  const name = obj.metadata?.name;
  if (name) {
    obj.metadata.labels ??= {};
    obj.metadata.labels['kubernetes.io/metadata.name'] = name;
  }
}

export function defaultSecret(obj: Obj): void {
  obj.type ||= 'Opaque';
  // v1 → internal conversion: stringData is write-only, merged into data (winning over it).
  if (obj.stringData && typeof obj.stringData === 'object') {
    obj.data ??= {};
    for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete obj.stringData;
  }
}

export function defaultNode(obj: Obj): void {
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  if (obj.status?.capacity && !obj.status.allocatable) obj.status.allocatable = { ...obj.status.capacity };
}

export function defaultEndpoints(obj: Obj): void {
  for (const s of (obj.subsets as Obj[] | undefined) ?? []) for (const p of s.ports ?? []) p.protocol ||= 'TCP';
}

export function defaultEndpointSlice(obj: Obj): void {
  for (const p of (obj.ports as Obj[] | undefined) ?? []) {
    p.protocol ||= 'TCP';
    p.name ??= '';
  }
}
