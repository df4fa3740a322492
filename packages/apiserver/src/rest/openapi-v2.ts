// /openapi/v2 (Swagger JSON and gnostic protobuf): the document lives in ./openapi/v2.ts.
export { openapiV2Protobuf, openapiV2Json, OPENAPI_V2_PROTOBUF } from './openapi/v2.js';
