// k8ts ingress process: node --conditions=k8ts-dist packages/ingress/dist/main.js [flags]
// Common flags, logger and stop on SIGTERM: @k8ts/client's runComponent.
import { runComponent } from '@k8ts/client';
import { startIngress, DEFAULT_CONTROLLER_NAME, DEFAULT_INGRESS_PORT, type RunningIngress } from './index.js';

interface IngressFlags {
  listen: string;
  publishAddress?: string;
  controllerName: string;
  maxHeaderSize: string;
}

await runComponent<IngressFlags, RunningIngress>({
  name: 'ingress',
  command: 'k8ts-ingress',
  description: 'ingress controller: HTTP on one host port, routed by Ingress host and path to Service endpoints',
  opsPort: 10246,
  flags: (cmd) =>
    cmd
      .option('--listen <ip:port>', 'address to serve HTTP on', `0.0.0.0:${DEFAULT_INGRESS_PORT}`)
      .option('--publish-address <ip>', "IP written into the Ingresses' status.loadBalancer (default: the listen IP, 127.0.0.1 for 0.0.0.0)")
      .option('--controller-name <name>', 'spec.controller of the IngressClasses served', DEFAULT_CONTROLLER_NAME)
      .option('--max-header-size <bytes>', 'largest request line and headers accepted (431 beyond)', '16384'),
  start: ({ opts: o, server, token, ops, int }) =>
    startIngress({ server, token, ops, listen: o.listen, publishAddress: o.publishAddress, controllerName: o.controllerName, maxHeaderSize: int('--max-header-size', o.maxHeaderSize) }),
  startFailed: (err, log) => {
    const msg = String(err);
    const [reason, message] = /EADDRINUSE/.test(msg)
      ? ['AddressInUse', 'the --listen port is taken by another process']
      : /EACCES/.test(msg)
        ? ['NoPermission', 'ports below 1024 need root or CAP_NET_BIND_SERVICE']
        : ['StartFailed', 'ingress failed'];
    log.fatal({ err: msg, reason }, message);
    return 1;
  },
});
