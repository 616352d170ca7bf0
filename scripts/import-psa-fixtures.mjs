#!/usr/bin/env node
// Imports upstream's Pod Security conformance fixtures into test/fixtures/psa/.
//
//   node scripts/import-psa-fixtures.mjs <dir>
//
// <dir> is a tree <level>/v1.<minor>/<pass|fail>/<name>.yaml: upstream's
// test/testdata folder of k8s.io/pod-security-admission, or a copy of it with
// an index.json (as ../shared/conformance/psa has), whose source, expected
// substrings and checks-firing lists are then carried over too.
//
// Upstream writes every minor version as a full folder, so the same file
// appears up to 38 times. We keep each distinct file once, in
// test/fixtures/psa/pods/<name>.<hash>.yaml, and an index.json whose entries
// expand back to every (level, version, pass/fail, file) case: one entry per
// run of consecutive versions that share a file and an expectation.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', 'fixtures', 'psa');
const podsDir = join(outDir, 'pods');

// Upstream's check IDs; a fixture's name is the lower-cased ID plus a case number.
const CHECKS = [
  'allowPrivilegeEscalation',
  'appArmorProfile',
  'capabilities_baseline',
  'capabilities_restricted',
  'hostNamespaces',
  'hostPathVolumes',
  'hostPorts',
  'hostProbesAndHostLifecycle',
  'privileged',
  'procMount',
  'procMount_restricted',
  'restrictedVolumes',
  'runAsNonRoot',
  'runAsUser',
  'seLinuxOptions',
  'seccompProfile_baseline',
  'seccompProfile_restricted',
  'sysctls',
  'windowsHostProcess',
];
// The text upstream's harness requires in the denial of each check's fail fixtures.
const SUBSTRINGS = {
  allowPrivilegeEscalation: 'allowPrivilegeEscalation',
  appArmorProfile: 'forbidden AppArmor profile',
  capabilities_baseline: 'capabilities',
  capabilities_restricted: 'unrestricted capabilities',
  hostNamespaces: 'host namespaces',
  hostPathVolumes: 'hostPath',
  hostPorts: 'hostPort',
  hostProbesAndHostLifecycle: 'probe or lifecycle host',
  privileged: 'privileged',
  procMount: 'procMount',
  procMount_restricted: 'procMount',
  restrictedVolumes: 'restricted volume types',
  runAsNonRoot: 'runAsNonRoot',
  runAsUser: 'runAsUser',
  seLinuxOptions: 'seLinuxOptions',
  seccompProfile_baseline: 'seccompProfile',
  seccompProfile_restricted: 'seccompProfile',
  sysctls: 'forbidden sysctl',
  windowsHostProcess: 'hostProcess',
};

/** check ID and case number of a fixture name; null for base, base_linux, base_windows. */
function parseName(name) {
  const match = CHECKS.map((id) => id.toLowerCase())
    .filter((p) => name.startsWith(p) && /^\d+$/.test(name.slice(p.length)))
    .sort((a, b) => b.length - a.length)[0];
  if (!match) return { check: null };
  return {
    check: CHECKS.find((id) => id.toLowerCase() === match),
    case: Number(name.slice(match.length)),
  };
}

function main() {
  const src = process.argv[2];
  if (!src || !existsSync(src)) {
    console.error(
      'usage: node scripts/import-psa-fixtures.mjs <dir with <level>/v1.N/<pass|fail>/*.yaml>',
    );
    process.exit(2);
  }
  const upstreamIndex = existsSync(join(src, 'index.json'))
    ? JSON.parse(readFileSync(join(src, 'index.json'), 'utf8'))
    : null;
  const described = new Map((upstreamIndex?.fixtures ?? []).map((f) => [f.path, f]));

  // Every case on disk.
  const cases = [];
  for (const level of readdirSync(src).filter((d) => d === 'baseline' || d === 'restricted')) {
    for (const version of readdirSync(join(src, level))) {
      const minor = /^v1\.(\d+)$/.exec(version)?.[1];
      if (minor === undefined) continue;
      for (const expect of ['pass', 'fail']) {
        const dir = join(src, level, version, expect);
        if (!existsSync(dir)) continue;
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
          const path = `${level}/${version}/${expect}/${file}`;
          const name = file.slice(0, -'.yaml'.length);
          const bytes = readFileSync(join(dir, file));
          const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
          const { check, case: n } = parseName(name);
          const d = described.get(path);
          if (upstreamIndex && !d) throw new Error(`${path} is not in ${src}/index.json`);
          cases.push({
            level,
            minor: Number(minor),
            expect,
            name,
            pod: `${name}.${hash}.yaml`,
            bytes,
            check: d ? d.check : check,
            case: d ? d.case : n,
            substring:
              expect === 'fail' ? (d?.expectErrorSubstring ?? SUBSTRINGS[check]) : undefined,
            fires: d?.derivedChecksFiring,
          });
        }
      }
    }
  }
  if (upstreamIndex && cases.length !== described.size) {
    throw new Error(`${cases.length} files on disk, ${described.size} in index.json`);
  }

  // Runs of consecutive minors with the same file and expectation become one entry.
  const key = (c) =>
    JSON.stringify([c.level, c.expect, c.pod, c.check, c.case, c.substring, c.fires]);
  cases.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.minor - b.minor));
  const entries = [];
  for (const c of cases) {
    const last = entries[entries.length - 1];
    if (last && last.key === key(c) && last.to === c.minor - 1) last.to = c.minor;
    else entries.push({ key: key(c), c, from: c.minor, to: c.minor });
  }
  entries.sort(
    (a, b) =>
      a.c.level.localeCompare(b.c.level) ||
      a.from - b.from ||
      a.c.expect.localeCompare(b.c.expect) ||
      a.c.name.localeCompare(b.c.name),
  );

  rmSync(podsDir, { recursive: true, force: true });
  mkdirSync(podsDir, { recursive: true });
  const written = new Set();
  for (const c of cases) {
    if (written.has(c.pod)) continue;
    writeFileSync(join(podsDir, c.pod), c.bytes);
    written.add(c.pod);
  }

  const lines = entries.map(({ c, from, to }) => {
    const e = {
      level: c.level,
      versions: from === to ? `v1.${from}` : `v1.${from}-v1.${to}`,
      expect: c.expect,
      pod: c.pod,
      check: c.check,
    };
    if (c.case !== undefined) e.case = c.case;
    if (c.substring !== undefined) e.substring = c.substring;
    if (c.fires !== undefined) e.fires = c.fires;
    return `    ${JSON.stringify(e)}`;
  });
  const source = upstreamIndex?.source ?? { path: src };
  const index = [
    '{',
    `  "source": ${JSON.stringify(source)},`,
    `  "cases": ${cases.length},`,
    `  "files": ${written.size},`,
    '  "entries": [',
    lines.join(',\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'index.json'), index);
  console.log(
    `${cases.length} cases, ${written.size} distinct files, ${entries.length} index entries`,
  );
}

main();
