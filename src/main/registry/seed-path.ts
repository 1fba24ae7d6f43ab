/**
 * Where resources/engines.json lives. The same code runs from source (tsx, vitest:
 * src/main/registry/) and from the bundle (out/main/), so the path is found by walking
 * up to the package root instead of assuming a fixed depth. A packaged app (or a test)
 * points SHOTLINE_RESOURCES at its resources folder.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../shared/errors';

export const SEED_FILE_NAME = 'engines.json';

export function defaultSeedPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SHOTLINE_RESOURCES;
  if (override) {
    const file = join(resolve(override), SEED_FILE_NAME);
    if (!existsSync(file)) throw new UserError(`SHOTLINE_RESOURCES is set to ${override}, but it has no ${SEED_FILE_NAME}`);
    return file;
  }
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    const found = findPackageRoot(start);
    if (found) return join(found, 'resources', SEED_FILE_NAME);
  }
  throw new UserError(`cannot find resources/${SEED_FILE_NAME} above ${starts.join(' or ')}; set SHOTLINE_RESOURCES to the resources folder`);
}

function findPackageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources', SEED_FILE_NAME))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
