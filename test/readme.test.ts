import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, README_BEGIN, README_END } from '../host/cli/docs.js';
import { validateConfig } from '../host/config/validate-config.js';
import { parseConfigText } from '../host/config/load-config.js';
import { TypeRegistry } from '../host/plugin/type-registry.js';
import { loadBuiltinTypes } from '../host/plugin/builtin-plugins.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('README', () => {
  it('carries the config reference generated from the code (run npm run docs after changing a schema)', async () => {
    const { types } = await loadBuiltinTypes();
    const section = readme.slice(readme.indexOf(README_BEGIN) + README_BEGIN.length + 1, readme.indexOf(README_END));
    expect(section).toBe(configReference(types));
  });

  it('shows a config file that validates', async () => {
    const example = /### A config file\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const types = new TypeRegistry();
    for (const t of (await loadBuiltinTypes()).types) types.set(t);
    const r = await validateConfig(parseConfigText(example!), types);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it('names commands that exist', () => {
    for (const script of ['start', 'test', 'test:peers', 'bench', 'docs']) {
      expect(readme).toContain(`npm ${script === 'start' || script === 'test' ? '' : 'run '}${script}`);
      expect(pkg.scripts[script], script).toBeDefined();
    }
  });
});
