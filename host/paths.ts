import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, found from this file whether it runs from host/ (sources) or dist/host/ (built). */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('BUG: package.json not found above host/paths');
    dir = parent;
  }
  return dir;
})();

/** Where `npm install` puts the compiled kernels. */
export const KERNEL_BUILD_DIR = join(PACKAGE_ROOT, 'build');

/** The built-in plugins' folder (compiled to dist/plugins when running from dist). */
export const RUNNING_FROM_SOURCE = fileURLToPath(import.meta.url).endsWith('.ts');
