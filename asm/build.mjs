// Compiles every kernel in asm/<name>/index.ts into build/<name>.<target>.wasm for the release
// (scalar) and simd targets of asconfig.json. Run by `npm install` (prepare) and `npm run build`.
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const asmDir = join(root, 'asm');
const outDir = join(root, 'build');
mkdirSync(outDir, { recursive: true });

const kernels = readdirSync(asmDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(asmDir, d.name, 'index.ts')))
  .map((d) => d.name);

let failed = false;
for (const kernel of kernels) {
  for (const target of ['release', 'simd']) {
    const outFile = join(outDir, `${kernel}.${target}.wasm`);
    const { error, stderr } = await asc.main(
      [join(asmDir, kernel, 'index.ts'), '--config', join(root, 'asconfig.json'), '--target', target, '--outFile', outFile],
      {},
    );
    if (error) {
      failed = true;
      console.error(`asc failed for ${kernel} (${target}): ${error.message}\n${stderr.toString()}`);
    } else {
      console.log(`built ${kernel}.${target}.wasm`);
    }
  }
}
if (failed) process.exit(1);
