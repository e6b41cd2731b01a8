#!/usr/bin/env node
// The `lattice` command: runs the oclif CLI compiled into dist/ (npm ci runs the build as `prepare`). dist/cli is the
// oclif root: scripts/build.mjs writes its package.json (the oclif settings) and the command manifest there.
import { execute } from '@oclif/core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli');
if (!existsSync(join(cliRoot, 'oclif.manifest.json'))) {
  process.stderr.write('error[E_NOT_INITIALIZED]: the CLI is not built: run `npm run build` (npm ci does it)\n');
  process.exit(1);
}
await execute({ dir: join(cliRoot, 'package.json') });
// A command has finished (the daemon too, once stopped): exit even if a library left a handle open, but only once
// stdout and stderr have handed everything over (to a pipe they are written asynchronously: exiting at once cut a
// long --json answer at 64 KiB).
const flushed = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(process.exitCode ?? 0);
