// The shape of the schema every part of the apiserver reads: the decoder, validation,
// defaulting, the protobuf codec, OpenAPI, strategic merge patch and server-side apply.

/** How a value is written in JSON. Go's encoding of the special apimachinery types decides it. */
export type ValueKind =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'double'
  | 'bytes' // base64 in JSON
  | 'time' // metav1.Time: RFC 3339 string, second precision
  | 'microTime' // metav1.MicroTime: RFC 3339 with microseconds
  | 'duration' // metav1.Duration: Go duration string ("1m30s")
  | 'quantity' // resource.Quantity: string (a number is accepted on input)
  | 'intOrString' // intstr.IntOrString: int32 or string
  | 'rawExtension' // runtime.RawExtension: any JSON value
  | 'fieldsV1' // metav1.FieldsV1: a JSON object of managed-field sets
  | 'message'; // a nested object described by its own MessageSchema

export interface FieldSchema {
  /** The JSON name (Kubernetes' proto field names are the JSON names). */
  name: string;
  /** The protobuf field number. */
  number: number;
  kind: ValueKind;
  /** For kind 'message': the fully qualified proto name of the nested message. */
  message?: string;
  /** The proto scalar type as written on the wire ('int64', 'string', …; 'message' for nested ones). */
  protoType: string;
  repeated: boolean;
  /** A map from string keys to values of `kind` (labels, data, nodeSelector, …). */
  map: boolean;
  /** Strategic merge patch and server-side apply facts (upstream's +patchStrategy, +listType, …). */
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  /** `json:",inline"`: the nested message's fields are written in this object's JSON. */
  inline?: boolean;
  /** A scalar zero read from protobuf means something (a Go pointer, or a value field without
   * `omitempty`): see zero-values.ts. */
  keepZero?: boolean;
  description?: string;
}

export interface MessageSchema {
  /** Fully qualified proto name, e.g. `k8s.io.api.core.v1.Container`. */
  name: string;
  /** The Go type name (the last part of `name`), as Kubernetes names it in errors. */
  goName: string;
  fields: ReadonlyMap<string, FieldSchema>;
  /** The fields as JSON shows them: inline messages' fields flattened in, inline fields left out. */
  jsonFields: ReadonlyMap<string, FieldSchema>;
  byNumber: ReadonlyMap<number, FieldSchema>;
  description?: string;
}
