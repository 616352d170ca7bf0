/**
 * package.json (the extension's manifest) against the code it describes: the
 * versions the engine knows, the severity keys the server honours, the
 * defaults the server and the client use, the check IDs the registry holds, and
 * the commands the extension and the server register. `npm run manifest`
 * rewrites the parts that follow from the code (scripts/manifest.mjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_IDS, CHECKS, HARDENING_CHECK_IDS, LEVELS, MAX_MINOR, MODES } from '@podsec/server';
import type { Diagnostic, Finding, Mode } from '@podsec/server';
import {
  CLIENT_COMMANDS,
  CLIENT_SETTING_DEFAULTS,
  DOCUMENT_LANGUAGES,
  isPodsecDocument,
  META_CHECK_IDS,
  SERVER_COMMANDS,
  SEVERITY_CODES,
  HARDENING_SEVERITY_KEYS,
} from '@podsec/server/out/lsp/protocol';
import type { ClientSettings, PodsecSettings } from '@podsec/server/out/lsp/protocol';
import { DEFAULT_SETTINGS, normalizeSettings } from '@podsec/server/out/lsp/settings';
import { repoRoot } from '../support/paths';

interface Property {
  type?: string;
  default?: unknown;
  enum?: string[];
  scope?: string;
  markdownDescription?: string;
  propertyNames?: { enum?: string[] };
}

interface Manifest {
  activationEvents: string[];
  contributes: {
    configuration: { properties: Record<string, Property> };
    commands: Array<{ command: string; title: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;
const props = manifest.contributes.configuration.properties;

function prop(key: string): Property {
  const p = props[key];
  assert.ok(p, `package.json declares ${key}`);
  return p;
}

// Every code a diagnostic can carry is a severity key (checked by the compiler: a new
// engine code or meta check that is missing from the lists fails the build).
type SeverityKey =
  | (typeof CHECK_IDS)[number]
  | (typeof META_CHECK_IDS)[number]
  | (typeof HARDENING_SEVERITY_KEYS)[number]
  | Mode
  | (typeof SEVERITY_CODES)[number];
type Unlisted = Exclude<Finding['check'] | Diagnostic['code'] | Mode | 'note', SeverityKey>;
const everyCodeListed: [Unlisted] extends [never] ? true : false = true;

// Every server setting has a default (checked by the compiler).
const defaults: Required<PodsecSettings> & Required<ClientSettings> = {
  ...DEFAULT_SETTINGS,
  ...CLIENT_SETTING_DEFAULTS,
};

describe('package.json and the code', () => {
  it('podsec.version offers latest, then v1.0 … v1.<newest the registry knows>', () => {
    const newest = Math.max(...CHECKS.flatMap((c) => c.variants.map((v) => v.minVersion)));
    assert.equal(newest, MAX_MINOR);
    const expected = ['latest'];
    for (let minor = 0; minor <= newest; minor++) expected.push(`v1.${minor}`);
    const version = prop('podsec.version');
    assert.deepEqual(version.enum, expected);
    assert.ok(
      version.markdownDescription?.includes(`\`v1.0\` … \`v1.${newest}\``),
      version.markdownDescription,
    );
  });

  it('podsec.level offers the levels, least strict first', () => {
    assert.deepEqual(prop('podsec.level').enum, [...LEVELS]);
  });

  it('podsec.severity keys: the check IDs, the meta checks, the hardening checks, the modes, the engine codes', () => {
    assert.equal(everyCodeListed, true);
    assert.deepEqual(prop('podsec.severity').propertyNames?.enum, [
      ...CHECK_IDS,
      ...META_CHECK_IDS,
      ...HARDENING_SEVERITY_KEYS,
      ...MODES,
      ...SEVERITY_CODES,
    ]);
    assert.deepEqual([...MODES], ['enforce', 'warn', 'audit']);
    assert.deepEqual([...HARDENING_SEVERITY_KEYS], [...HARDENING_CHECK_IDS, 'hardening']);
  });

  it('every default in package.json is the one the server (or the client) uses', () => {
    const declared = Object.keys(props)
      .filter((k) => k !== 'podsec.trace.server') // vscode-languageclient's own
      .map((k) => k.slice('podsec.'.length))
      .sort();
    assert.deepEqual(declared, Object.keys(defaults).sort(), 'settings declared = settings read');
    for (const [key, value] of Object.entries(defaults)) {
      assert.deepEqual(prop(`podsec.${key}`).default, value, `podsec.${key}`);
      assert.equal(prop(`podsec.${key}`).scope, 'resource', `podsec.${key} is per folder`);
    }
    // The manifest's defaults, sent back as settings, are valid and change nothing.
    const section = Object.fromEntries(
      Object.entries(props).map(([k, p]) => [k.slice('podsec.'.length), p.default]),
    );
    const normalized = normalizeSettings(section);
    assert.deepEqual(normalized.problems, []);
    assert.deepEqual(normalized.settings, DEFAULT_SETTINGS);
  });

  it("the check IDs in types.ts are the registry's checks, in its order", () => {
    assert.deepEqual(
      CHECKS.map((c) => c.id),
      [...CHECK_IDS],
    );
  });

  it("the extension's commands are contributed and activate it; the server's are not contributed", () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(CLIENT_COMMANDS).sort());
    for (const c of Object.values(CLIENT_COMMANDS)) {
      assert.ok(manifest.activationEvents.includes(`onCommand:${c}`), c);
    }
    const clientSide = new Set<string>(contributed);
    for (const c of Object.values(SERVER_COMMANDS)) {
      assert.ok(!clientSide.has(c), `${c} is registered by the server`);
    }
  });

  it('the languages the extension sends activate it, as does a Helm chart; a chart partial is sent by name', () => {
    for (const l of DOCUMENT_LANGUAGES)
      assert.ok(manifest.activationEvents.includes(`onLanguage:${l}`), l);
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/Chart.yaml'));
    for (const m of Object.values(manifest.contributes.menus).flat()) {
      if (m.command !== CLIENT_COMMANDS.fixAll) continue;
      for (const l of DOCUMENT_LANGUAGES)
        assert.match(m.when ?? '', new RegExp(`editorLangId == ${l}\\b`));
      assert.match(m.when ?? '', /resourceExtname == \.tpl/);
    }
    assert.ok(isPodsecDocument('plaintext', '/c/templates/_helpers.tpl'));
    assert.ok(isPodsecDocument('helm', '/c/templates/NOTES.txt'));
    assert.ok(!isPodsecDocument('plaintext', '/c/README.md'));
  });

  it('scripts/manifest.mjs --check agrees (npm run manifest would change nothing)', () => {
    const r = spawnSync(process.execPath, ['scripts/manifest.mjs', '--check'], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
