// Answers every request with one line naming the pod (its hostname) and the pod IP, so
// load balancing across replicas is visible from curl.
const http = require('node:http');
const os = require('node:os');

function podIP() {
  if (process.env.POD_IP) return process.env.POD_IP;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

const name = process.env.POD_NAME || os.hostname();
const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from ${name} (${podIP()})\n`);
});
server.listen(port, '0.0.0.0', () => console.log(`hello listening on :${port} as ${name} (${podIP()})`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
