// The installed package's root directory, found from this file whether it runs as TypeScript (host/node/…) or
// built (dist/host/node/…): the nearest ancestor holding the lattice package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lattice') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('lattice package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
