// node-forge, loaded on first use. Every process imports @k8ts/client, and forge kept ≈ 2 MiB
// in each (its sources stay in the heap beside its code), while only the CLI, the
// controller-manager's CSR signer and an agent joining with a bootstrap token ever call it.
import { createRequire } from 'node:module';
import type Forge from 'node-forge';

let loaded: typeof Forge | undefined;

export function nodeForge(): typeof Forge {
  return (loaded ??= createRequire(import.meta.url)('node-forge') as typeof Forge);
}
