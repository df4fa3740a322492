export { PodNetwork, type PodNetworkOptions } from './pod-network.js';
export { desiredRoutes, routeChanges, type Route } from './host-gw.js';
export { bridgeOf } from './pod-cidr.js';
export { waitForPodCidr } from './node-cidr.js';
export { ROUTE_PROTO } from './netns.js';
