/**
 * The JSON Schema of `.podsec.yaml` (schemas/podsec.schema.json): generated
 * from the engine's key list and registry, valid draft-07, contributed for
 * YAML validation and shipped in the .vsix, and in agreement with the
 * parser on valid and invalid files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CHECK_IDS, MAX_MINOR } from '@podsec/server';
import {
  KEYS,
  parseProjectConfig,
  podsecConfigSchema,
  SEVERITY_KEYS,
  starterConfig,
} from '@podsec/server/out/engine/config/index';
import { repoRoot } from '../../support/paths';

const SCHEMA_FILE = join(repoRoot(), 'schemas', 'podsec.schema.json');

interface Manifest {
  contributes: {
    yamlValidation?: Array<{ fileMatch: string[]; url: string }>;
    configuration: {
      properties: Record<string, { enum?: string[]; propertyNames?: { enum: string[] } }>;
    };
  };
}
const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;

function validator() {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
}

describe('schemas/podsec.schema.json', () => {
  it('is the schema the key list generates (PODSEC_UPDATE_GOLDEN=1 rewrites it)', () => {
    const generated = podsecConfigSchema();
    if (process.env.PODSEC_UPDATE_GOLDEN === '1') {
      writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    }
    assert.ok(existsSync(SCHEMA_FILE), `${SCHEMA_FILE} is missing`);
    assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), generated);
  });

  it('compiles as draft-07 in strict mode', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeof validator(), 'function');
  });

  it('names every key, every check ID and every known version', () => {
    const schema = podsecConfigSchema() as {
      properties: Record<
        string,
        { anyOf?: Array<{ enum?: string[] }>; propertyNames?: { enum: string[] } }
      >;
    };
    assert.deepEqual(
      Object.keys(schema.properties),
      KEYS.map((k) => k.key),
    );
    for (const id of CHECK_IDS)
      assert.ok(schema.properties.severity?.propertyNames?.enum.includes(id), id);
    const versions = schema.properties.version?.anyOf?.[0]?.enum ?? [];
    assert.equal(versions[0], 'latest');
    assert.equal(versions.at(-1), `v1.${MAX_MINOR}`);
    assert.equal(versions.length, MAX_MINOR + 2);
  });

  it('agrees with the VS Code settings on levels, versions and severity keys', () => {
    const props = manifest.contributes.configuration.properties;
    const schema = podsecConfigSchema() as {
      properties: Record<string, { enum?: string[]; anyOf?: Array<{ enum?: string[] }> }>;
    };
    assert.deepEqual(schema.properties.level?.enum, props['podsec.level']?.enum);
    assert.deepEqual(schema.properties.version?.anyOf?.[0]?.enum, props['podsec.version']?.enum);
    assert.deepEqual(
      [...SEVERITY_KEYS].sort(),
      [...(props['podsec.severity']?.propertyNames?.enum ?? [])].sort(),
    );
  });

  it('is contributed for .podsec.yaml and .podsec.yml, and shipped in the .vsix', () => {
    const v = manifest.contributes.yamlValidation ?? [];
    const entry = v.find((e) => e.url === './schemas/podsec.schema.json');
    assert.ok(entry, JSON.stringify(v));
    assert.deepEqual([...entry.fileMatch].sort(), ['.podsec.yaml', '.podsec.yml']);
    const ignore = readFileSync(join(repoRoot(), '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!schemas/*.schema.json'), 'the schema is allowed into the .vsix');
  });
});

describe('the schema and the parser agree', () => {
  // [text, valid]: valid means no error or warning from the parser, and no schema error.
  const samples: Array<[string, boolean]> = [
    ['level: baseline\n', true],
    ['level: Baseline\n', false],
    ['version: latest\n', true],
    ['version: v1.0\n', true],
    [`version: v1.${MAX_MINOR}\n`, true],
    ['version: v1.99\n', true],
    ['version: 1.30\n', false],
    ['version: "1.30"\n', false],
    ['version: v1.030\n', false],
    ['version: v2.0\n', false],
    ['namespaceLabels: false\n', true],
    ['namespaceLabels: "false"\n', false],
    ['namespaceLabels: yes\n', false],
    ['failOnSkipped: true\n', true],
    ['failOnSkipped: 1\n', false],
    ['severity: { runAsNonRoot: off, audit: hint, note: information, yaml: error }\n', true],
    ['severity: { runAsNonRot: off }\n', false],
    ['severity: { runAsNonRoot: loud }\n', false],
    ['severity: { runAsNonRoot: Off }\n', false],
    ['severity: [runAsNonRoot]\n', false],
    ['exclude: ["charts/**", "a.yaml"]\n', true],
    ['exclude: charts/**\n', false],
    ['exclude: [""]\n', false],
    ['exclude: [3]\n', false],
    ['admissionConfiguration: cluster/psa.yaml\n', true],
    ['admissionConfiguration: ""\n', false],
    ['admissionConfiguration: [a]\n', false],
    ['levle: baseline\n', false],
    ['hardening: { networkPolicyIsolation: false, requireCpuLimit: true }\n', true],
    ['hardening: { networkPolicyIsolation: maybe }\n', false],
    ['hardening: off\n', true],
    ['hardening: true\n', true],
    ['hardening: disabled\n', false],
    [
      'hardening: { enabled: off, resourceLimits: error, secretInEnv: hint, auditPolicy: on }\n',
      true,
    ],
    ['hardening: { resourceLimits: loud }\n', false],
    ['hardening: { requireCpuLimit: on }\n', false],
    ['hardening: { resourceLimts: error }\n', false],
    ['hardening: [auditPolicy]\n', false],
    [
      'helm: [{ name: prod, values: [v.yaml], set: { a: 1 }, releaseName: r, namespace: n }]\n',
      true,
    ],
    ['helm: [{ values: [v.yaml] }]\n', false],
    ['helm: [{ name: prod, valuez: [v.yaml] }]\n', false],
    ['helm: prod\n', false],
    ['kustomize: { roots: [overlays/prod] }\n', true],
    ['kustomize: { root: [overlays/prod] }\n', false],
    ['baseline: .podsec-baseline.json\n', true],
  ];

  const validate = validator();
  for (const [text, valid] of samples) {
    it(`${valid ? 'valid' : 'invalid'}: ${text.trim()}`, () => {
      const parsed = parseProjectConfig(text, '/ws/.podsec.yaml');
      const parserValid = !parsed.diagnostics.some((d) => d.severity !== 'information');
      const schemaValid = validate(parseYaml(text) as unknown);
      assert.equal(
        parserValid,
        valid,
        `parser: ${JSON.stringify(parsed.diagnostics.map((d) => d.message))}`,
      );
      assert.equal(schemaValid, valid, `schema: ${JSON.stringify(validate.errors)}`);
    });
  }

  it('the starter file is valid, and so is every example in it uncommented', () => {
    const starter = starterConfig({ level: 'baseline', version: 'v1.30' });
    assert.equal(validate(parseYaml(starter) as unknown), true, JSON.stringify(validate.errors));
    const uncommented = starterConfig({ level: 'baseline', version: 'v1.30', examples: 'active' });
    // the starter is that file with the examples commented out, nothing else
    const exampleLines = new Set(
      uncommented.split('\n').filter((l) => !starter.split('\n').includes(l)),
    );
    assert.ok(exampleLines.size > 5);
    assert.equal(
      uncommented
        .split('\n')
        .map((l) => (exampleLines.has(l) ? `# ${l}` : l))
        .join('\n'),
      starter,
    );
    const parsed = parseProjectConfig(uncommented, '/ws/.podsec.yaml');
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(
      validate(parseYaml(uncommented) as unknown),
      true,
      JSON.stringify(validate.errors),
    );
    const active = KEYS.filter((k) => k.status === 'active').map((k) => k.key);
    assert.deepEqual(Object.keys(parsed.settings).sort(), [...active].sort());
  });
});
