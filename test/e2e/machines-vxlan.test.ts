// machines.test.ts again with `--pod-routes vxlan`: pods on the three machines reach each
// other through a kernel VXLAN device per machine instead of host-gw routes.
process.env.K8TS_E2E_POD_ROUTES = 'vxlan';
await import('./machines.test.js');
export {};
