import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, README_BEGIN, README_END } from '../host/cli/docs.js';
import { loadBuiltinTypes } from '../host/plugin/builtin-plugins.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('carries the config reference generated from the code (run npm run docs after changing a schema)', async () => {
    const { types } = await loadBuiltinTypes();
    const section = readme.slice(readme.indexOf(README_BEGIN) + README_BEGIN.length + 1, readme.indexOf(README_END));
    expect(section).toBe(configReference(types));
  });

  it('names commands that exist', () => {
    for (const script of ['start', 'test', 'test:peers', 'bench', 'docs']) {
      expect(readme).toContain(`npm ${script === 'start' || script === 'test' ? '' : 'run '}${script}`);
      expect(pkg.scripts[script], script).toBeDefined();
    }
  });
});
