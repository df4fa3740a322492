// The compose cluster's one-shot `init` service: tokens and the apiserver's serving certificate
// in the shared secrets volume. Its own entry (not the CLI's main) because everything else
// waits for it: it loads only what it needs.
import { composeInit } from './init.js';

await composeInit(process.argv[2] ?? '/var/lib/k8ts');
