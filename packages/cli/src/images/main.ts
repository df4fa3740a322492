// `deploy/images/build.sh` entry: builds the local images (default: the cluster's; --only etcd for the tests' etcd).
import { Command } from 'commander';
import { buildImages, CLUSTER_IMAGE_NAMES, IMAGE_NAMES, type ImageName } from './build.js';

const program = new Command()
  .name('build-images')
  .option('--force', 'rebuild even when present with the same inputs')
  .option('--only <names>', `comma-separated, of ${IMAGE_NAMES.join(',')} (default ${CLUSTER_IMAGE_NAMES.join(',')})`)
  .option('--base <name=image...>', 'base image per image, e.g. busybox=busybox:1.36 node=node:20-slim')
  .parse();
const o = program.opts<{ force?: boolean; only?: string; base?: string[] }>();
const bases: Partial<Record<ImageName, string>> = {};
for (const b of o.base ?? []) {
  const [k, v] = b.split('=');
  bases[k as ImageName] = v;
}
try {
  const res = await buildImages({ force: o.force, only: o.only?.split(','), bases, log: (l) => console.log(l) });
  for (const r of res) console.log(`${r.image}\t${r.built ? 'built' : 'up to date'}\t${r.ms} ms`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
