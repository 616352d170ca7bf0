#!/usr/bin/env node
// Writes the parts of package.json that follow from the code, from the built server
// (run `npx tsc -b` first; `npm run manifest` does both):
//   podsec.version            enum `latest`, `v1.0` … `v1.<newest>` (the engine's registry),
//                             and the range in its description
//   podsec.level              enumDescriptions: the protocol's LEVEL_DESCRIPTIONS
//   podsec.severity           the keys: check IDs, the protocol's META_CHECK_IDS and
//                             HARDENING_SEVERITY_KEYS, modes, and its SEVERITY_CODES
//   every podsec.* default    the server's DEFAULT_SETTINGS, the client's CLIENT_SETTING_DEFAULTS
//   activationEvents          the protocol's DOCUMENT_LANGUAGES, a workspace holding a Helm
//                             chart, and each of the extension's commands
// `--check` changes nothing and exits 1 when package.json is not up to date.
// test/lsp/manifest.test.ts states the same rules and fails when package.json breaks them.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = (p) => join(root, 'server', 'out', p);
const { CHECK_IDS, MAX_MINOR, MODES } = require(out('engine/index.js'));
const { DEFAULT_SETTINGS } = require(out('lsp/settings.js'));
const {
  CLIENT_COMMANDS,
  CLIENT_SETTING_DEFAULTS,
  DOCUMENT_LANGUAGES,
  HARDENING_SEVERITY_KEYS,
  LEVEL_DESCRIPTIONS,
  META_CHECK_IDS,
  SEVERITY_CODES,
} = require(out('lsp/protocol.js'));

const file = join(root, 'package.json');
const before = readFileSync(file, 'utf8');
const pkg = JSON.parse(before);
const props = pkg.contributes.configuration.properties;

const versions = ['latest', ...Array.from({ length: MAX_MINOR + 1 }, (_, i) => `v1.${i}`)];
props['podsec.version'].enum = versions;
props['podsec.version'].markdownDescription = props['podsec.version'].markdownDescription.replace(
  /`v1\.0` … `v1\.\d+`/,
  `\`v1.0\` … \`v1.${MAX_MINOR}\``,
);
props['podsec.level'].enumDescriptions = props['podsec.level'].enum.map(
  (level) => LEVEL_DESCRIPTIONS[level],
);
props['podsec.severity'].propertyNames.enum = [
  ...CHECK_IDS,
  ...META_CHECK_IDS,
  ...HARDENING_SEVERITY_KEYS,
  ...MODES,
  ...SEVERITY_CODES,
];
for (const [key, value] of Object.entries({ ...DEFAULT_SETTINGS, ...CLIENT_SETTING_DEFAULTS })) {
  const prop = props[`podsec.${key}`];
  if (!prop) throw new Error(`package.json declares no setting podsec.${key}`);
  prop.default = value;
}
pkg.activationEvents = [
  ...DOCUMENT_LANGUAGES.map((l) => `onLanguage:${l}`),
  // a chart's _helpers.tpl has no language VS Code knows
  'workspaceContains:**/Chart.yaml',
  ...Object.values(CLIENT_COMMANDS).map((c) => `onCommand:${c}`),
];

const after = `${JSON.stringify(pkg, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('package.json is not up to date with the code: run `npm run manifest`\n');
    process.exit(1);
  }
  process.stdout.write('package.json is up to date\n');
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write('package.json updated\n');
} else {
  process.stdout.write('package.json is up to date\n');
}
