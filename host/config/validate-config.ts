import type { ConfigIssue } from '../errors.js';
import type { PluginKind } from '../plugin/manifest.js';
import type { PluginType } from '../plugin/plugin-type.js';
import type { TypeRegistry } from '../plugin/type-registry.js';
import { COMPONENT_ID_RE, configSchema, type SluiceConfig } from './config-schema.js';
import { toConfigIssues } from './schema.js';

/** A component as the validated config describes it. */
export interface ComponentSpec {
  id: string;
  kind: PluginKind;
  type: string;
  pluginType: PluginType;
  /** The plugin's config with defaults applied. */
  config: unknown;
  /** The config as written, to tell a changed component from an unchanged one on reload. */
  raw: unknown;
}

export interface ValidConfig {
  config: SluiceConfig;
  components: Map<string, ComponentSpec>;
}

const SECTIONS: [keyof SluiceConfig & ('sources' | 'processors' | 'sinks' | 'queries'), PluginKind][] = [
  ['sources', 'source'],
  ['processors', 'processor'],
  ['sinks', 'sink'],
  ['queries', 'query'],
];

/** Where a component sits in the config: `processors.relabel/a`. */
export function sectionPath(spec: Pick<ComponentSpec, 'kind' | 'id'>): string {
  return `${SECTIONS.find(([, kind]) => kind === spec.kind)![0]}.${spec.id}`;
}

/**
 * Validates the whole config before anything starts: the top-level shape, every component's own
 * config through its plugin's schema, and the pipelines' references. Every problem is collected,
 * each with its path, so one run shows them all.
 */
export async function validateConfig(raw: unknown, types: TypeRegistry): Promise<{ ok: true; value: ValidConfig } | { ok: false; issues: ConfigIssue[] }> {
  const top = configSchema.safeParse(raw ?? {});
  if (!top.success) {
    // The shape is off; still check the components we can reach, so every mistake shows at once.
    const issues = toConfigIssues(top.error, '');
    const partial = await validateComponents((raw ?? {}) as Partial<SluiceConfig>, types);
    return { ok: false, issues: [...issues, ...partial.issues] };
  }
  const config = top.data;
  const { components, issues } = await validateComponents(config, types);
  issues.push(...validatePipelines(config, components));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { config, components } };
}

async function validateComponents(config: Partial<SluiceConfig>, types: TypeRegistry): Promise<{ components: Map<string, ComponentSpec>; issues: ConfigIssue[] }> {
  const components = new Map<string, ComponentSpec>();
  const issues: ConfigIssue[] = [];
  for (const [section, kind] of SECTIONS) {
    const entries = config[section];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [id, rawComponent] of Object.entries(entries)) {
      const path = `${section}.${id}`;
      const m = COMPONENT_ID_RE.exec(id);
      if (!m) {
        issues.push({ path, message: 'a component id is `type` or `type/name` (type in snake_case)' });
        continue;
      }
      if (components.has(id)) {
        issues.push({ path, message: `id ${id} is used in ${components.get(id)!.kind}s too; ids must be unique across sections` });
        continue;
      }
      const type = m[1]!;
      const pluginType = types.get(kind, type);
      if (!pluginType) {
        const known = types.namesOf(kind);
        issues.push({ path, message: `unknown ${kind} type ${JSON.stringify(type)}; known: ${known.length > 0 ? known.join(', ') : '(none)'}` });
        continue;
      }
      const result = await pluginType.validate(rawComponent ?? {}, path);
      if (!result.ok) {
        issues.push(...result.issues);
        continue;
      }
      components.set(id, { id, kind, type, pluginType, config: result.value, raw: rawComponent ?? {} });
    }
  }
  return { components, issues };
}

function validatePipelines(config: SluiceConfig, components: Map<string, ComponentSpec>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const processorUse = new Map<string, string>();
  const declared = (section: 'sources' | 'processors' | 'sinks', id: string) => id in config[section];
  for (const [name, p] of Object.entries(config.pipelines)) {
    const check = (list: string[], section: 'sources' | 'processors' | 'sinks') =>
      list.forEach((id, i) => {
        const path = `pipelines.${name}.${section}[${i}]`;
        if (!declared(section, id)) issues.push({ path, message: `${id} is not defined under ${section}` });
        else if (!components.has(id)) return; // its own config is invalid, already reported
      });
    check(p.sources, 'sources');
    check(p.processors, 'processors');
    check(p.sinks, 'sinks');
    p.processors.forEach((id, i) => {
      const other = processorUse.get(id);
      if (other !== undefined) issues.push({ path: `pipelines.${name}.processors[${i}]`, message: `processor ${id} is already used by pipeline ${other}; a processor keeps state for one pipeline, declare another instance (${id.split('/')[0]}/other)` });
      processorUse.set(id, name);
    });
  }
  if (Object.keys(config.pipelines).length === 0) issues.push({ path: 'pipelines', message: 'at least one pipeline is needed' });
  return issues;
}
