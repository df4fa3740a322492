// The access and identity reviews: create-only resources answered from the authorizer and
// authenticator chains, never stored. registerReviews hands their answerers to the registry,
// whose create (REST and gRPC alike) calls them after decoding the body.
import type { Registry } from '../registry/types.js';
import { localSubjectAccessReview, selfSubjectAccessReview, subjectAccessReview } from './access-reviews.js';
import { selfSubjectRulesReview } from './rules-review.js';
import { selfSubjectReview, tokenReview } from './authentication-reviews.js';
import { ALWAYS_ALLOW, type ReviewDeps } from './types.js';

export { ALWAYS_ALLOW, type ReviewDeps, type Authorize } from './types.js';

export function registerReviews(registry: Pick<Registry, 'registerVirtual'>, deps: ReviewDeps = ALWAYS_ALLOW): void {
  registry.registerVirtual('selfsubjectaccessreviews', selfSubjectAccessReview(deps.authorize));
  registry.registerVirtual('subjectaccessreviews', subjectAccessReview(deps.authorize));
  registry.registerVirtual('localsubjectaccessreviews', localSubjectAccessReview(deps.authorize));
  registry.registerVirtual('selfsubjectrulesreviews', selfSubjectRulesReview(deps.rulesFor));
  registry.registerVirtual('selfsubjectreviews', selfSubjectReview());
  registry.registerVirtual('tokenreviews', tokenReview(deps.authenticate));
}
