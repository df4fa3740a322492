import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { applyDefaults } from '../defaults.js';
import { fieldErrorString } from './field-error.js';
import { validate } from './index.js';

// One Service rule set: what the allocators' private copy checked is checked here once.
const svc = (spec: any): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec });
function errors(spec: any, old?: any): string[] {
  const s = svc(spec);
  applyDefaults('services', s);
  return validate('services', s, old && svc(old)).map(fieldErrorString);
}

test('service defaults: clusterIP and clusterIPs[0] name one address', () => {
  const a = svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  applyDefaults('services', a);
  assert.deepEqual(a.spec.clusterIPs, ['10.96.0.10']);
  const b = svc({ clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] });
  applyDefaults('services', b);
  assert.equal(b.spec.clusterIP, '10.96.0.11');
  const c = svc({ type: 'ExternalName', externalName: 'example.com' });
  applyDefaults('services', c);
  assert.equal(c.spec.clusterIPs, undefined);
});

test('service validation: node ports, session affinity, load balancer IP, clusterIPs', () => {
  assert.deepEqual(errors({ selector: { app: 'a' }, ports: [{ port: 80 }] }), []);
  assert.deepEqual(errors({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30001 }] }), ['spec.ports[1].nodePort: Duplicate value: 30001']);
  assert.deepEqual(errors({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 80, protocol: 'UDP', nodePort: 30001 }] }), [], 'one node port for TCP and UDP');
  assert.deepEqual(errors({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } }, ports: [{ port: 80 }] }), [
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400',
  ]);
  assert.deepEqual(errors({ loadBalancerIP: '10.0.0.1', ports: [{ port: 80 }] }), ["spec.loadBalancerIP: Forbidden: may only be used when `type` is 'LoadBalancer'"]);
  assert.deepEqual(errors({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] }), ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: must match `spec.clusterIP`']);
  assert.deepEqual(errors({ clusterIP: '10.96.0.12', ports: [{ port: 80 }] }, { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] }).filter((e) => e.startsWith('spec.')), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.12"}: may not change once set',
  ]);
});

test('service validation: externalIPs may not be loopback, link-local, link-local multicast or unspecified', () => {
  assert.deepEqual(errors({ externalIPs: ['192.168.5.7'], ports: [{ port: 80 }] }), []);
  assert.deepEqual(errors({ externalIPs: ['127.0.0.1', '169.254.1.2', '224.0.0.5', '0.0.0.0', '127.8.9.10'], ports: [{ port: 80 }] }), [
    'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'spec.externalIPs[1]: Invalid value: "169.254.1.2": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'spec.externalIPs[2]: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    'spec.externalIPs[3]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    'spec.externalIPs[4]: Invalid value: "127.8.9.10": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
});
