import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shebangNodeFlags } from '../../host/cli/node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('how the CLI is started', () => {
  it('reads the node options of a shebang line', () => {
    expect(shebangNodeFlags('#!/usr/bin/env node\nx')).toEqual([]);
    expect(shebangNodeFlags('#!/usr/bin/env -S node --a=1  --b\n')).toEqual(['--a=1', '--b']);
    expect(() => shebangNodeFlags('#!/bin/sh\n')).toThrow(/not a node shebang/);
  });

  it('gives npm start the same node options as the CLI itself', () => {
    const flags = shebangNodeFlags(readFileSync(join(ROOT, 'host', 'cli', 'main.ts'), 'utf8'));
    expect(flags).toContain('--initial-old-space-size=256');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts.start).toBe(['node', ...flags, pkg.bin.sluice].join(' '));
  });
});
