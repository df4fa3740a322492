// Content negotiation: which representation the client asked for in Accept. kubectl asks
// for Tables (`application/json;as=Table;v=v1;g=meta.k8s.io`) and aggregated discovery
// (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`), each followed by
// plain JSON as a fallback; the first acceptable entry wins.

export interface MediaRange {
  type: string; // "application/json"
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...ps] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params };
  });
}

export type Output =
  | { as: 'object'; yaml: boolean }
  | { as: 'table'; version: 'v1' | 'v1beta1'; yaml: boolean }
  | { as: 'partial'; version: 'v1' | 'v1beta1'; yaml: boolean };

const jsonish = (t: string) => t === 'application/json' || t === 'application/yaml' || t === '*/*' || t === 'application/*';

/** The representation of an object or list response. */
export function chooseOutput(accept: string | undefined): Output {
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    const yaml = r.type === 'application/yaml';
    if (r.params.as) {
      if (!jsonish(r.type) || r.params.g !== 'meta.k8s.io') continue;
      const version = r.params.v === 'v1beta1' ? 'v1beta1' : r.params.v === 'v1' ? 'v1' : undefined;
      if (!version) continue;
      if (r.params.as === 'Table') return { as: 'table', version, yaml };
      if (r.params.as === 'PartialObjectMetadata' || r.params.as === 'PartialObjectMetadataList') return { as: 'partial', version, yaml };
      continue;
    }
    // A client that prefers protobuf (kubectl 1.32+, helm: `application/vnd.kubernetes.protobuf,
    // application/json`) is answered in JSON: client-go decodes by the response's Content-Type,
    // watches included, so every client works; request bodies in protobuf are decoded in full
    // (./protobuf), and ./protobuf's encoder could answer in protobuf if a client ever needs it.
    if (jsonish(r.type) || r.type === 'application/vnd.kubernetes.protobuf') return { as: 'object', yaml };
  }
  return { as: 'object', yaml: false };
}

/** Aggregated discovery version asked for, if any (v2 first, then v2beta1). */
export function aggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const r of parseAccept(accept)) {
    if (r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList' && (r.params.v === 'v2' || r.params.v === 'v2beta1')) {
      return r.params.v;
    }
    if (!r.params.as && jsonish(r.type)) return undefined;
  }
  return undefined;
}
