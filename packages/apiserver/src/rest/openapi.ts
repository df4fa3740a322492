// OpenAPI v3 and v2 with the schema of every served type: the documents live in ./openapi/.
import { RESOURCES, apiVersionOf } from '@k8ts/api';
export { openapiV3Index, openapiV3Document, openapiV3Built } from './openapi/v3.js';

export const servedKinds = () => RESOURCES.map((r) => `${apiVersionOf(r)}/${r.kind}`);
