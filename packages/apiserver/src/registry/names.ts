// metadata.generateName: the prefix plus five random characters from Kubernetes' alphabet
// (lowercase consonants and digits without look-alikes, as utilrand.String uses).
import { randomInt } from 'node:crypto';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxPrefix = 63 - 5;

export function generateName(prefix: string): string {
  let s = prefix.length > maxPrefix ? prefix.slice(0, maxPrefix) : prefix;
  for (let i = 0; i < 5; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}
