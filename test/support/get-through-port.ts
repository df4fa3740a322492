// One HTTP GET of `/` through a local port (a port-forward's), for the suites that check what a
// forwarded pod answers. The answer ends at its Content-Length: some forwarders (client-node's
// PortForward) never end the local socket. A time limit instead of a hang.
import http from 'node:http';

export function getThroughPort(port: number, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer through port ${port} within ${timeoutMs / 1000} s (got ${JSON.stringify(body)})`)));
  });
}
