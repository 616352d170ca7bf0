/**
 * Fixes that edit other files than their finding's (`Fix.files`) on the
 * command line: the ServiceAccount a hardening finding's fix sets, the patch
 * and kustomization file a fix in one overlay adds. SARIF carries them as one
 * `artifactChanges` entry per file, with that file's own lines; JSON as
 * `fixes[].changes`; paths are the working directory's. A fix whose other
 * file cannot be read is left out, and the run's notifications say so.
 * `--fix` writes them through the one writer, never outside the paths given.
 * Each fix is applied as printed and the tree checked again: the finding goes.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { nodeFs } from '@podsec/server/out/io/index';
import type { FsSeam } from '@podsec/server/out/io/index';
import { cli, podsecProcess, tempTree } from '../support/cli';
import { repoRoot } from '../support/paths';

const SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface Replacement {
  deletedRegion: Region;
  insertedContent: { text: string };
}
interface ArtifactChange {
  artifactLocation: { uri: string };
  replacements: Replacement[];
  properties?: { create?: boolean };
}
interface SarifFix {
  description: { text: string };
  artifactChanges: ArtifactChange[];
  properties: { safe: boolean };
}
interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Region } }>;
  fixes?: SarifFix[];
  properties: { overlays?: string[] };
}
interface SarifLog {
  runs: Array<{
    invocations: Array<{
      toolExecutionNotifications?: Array<{
        level: string;
        message: { text: string };
        locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
      }>;
    }>;
    results: SarifResult[];
  }>;
}
interface JsonEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  text: string;
}
interface JsonFix {
  title: string;
  safe: boolean;
  changes?: Array<{ path: string; create?: boolean; edits: JsonEdit[] }>;
  leftOut?: string;
}
interface JsonFinding {
  check: string;
  line: number;
  overlays?: string[];
  fixes?: JsonFix[];
}
interface JsonReport {
  files: Array<{ path: string; findings: JsonFinding[] }>;
}

function parseSarif(out: string): SarifLog {
  const log = JSON.parse(out) as SarifLog;
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  return log;
}

/** The offset of a 1-based line and column (in code points) of `text`. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < line - 1; i++) o += (lines[i] ?? '').length + 1;
  return o + [...(lines[line - 1] ?? '')].slice(0, column - 1).join('').length;
}

/** `text` with edits given as 1-based regions applied (all counted on `text`). */
function applyRegions(
  text: string,
  edits: ReadonlyArray<{ start: Region | JsonEdit; text: string }>,
): string {
  const spans = edits
    .map(({ start: r, text: t }) => {
      const [sl, sc, el, ec] =
        'startLine' in r
          ? [r.startLine, r.startColumn, r.endLine, r.endColumn]
          : [r.line, r.column, r.endLine, r.endColumn];
      return { start: offsetOf(text, sl, sc), end: offsetOf(text, el, ec), text: t };
    })
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

/** Writes a SARIF fix's changes into the tree at `root` (URIs relative to it, or absolute). */
function applySarifFix(root: string, fix: SarifFix): void {
  for (const c of fix.artifactChanges) {
    const uri = decodeURIComponent(c.artifactLocation.uri);
    const path = uri.startsWith('/') ? uri : join(root, uri);
    const before = c.properties?.create === true ? '' : readFileSync(path, 'utf8');
    const after = applyRegions(
      before,
      c.replacements.map((r) => ({ start: r.deletedRegion, text: r.insertedContent.text })),
    );
    writeFileSync(path, after);
  }
}

/** Passes restricted; its pod runs as ServiceAccount `builder`, whose token is mounted. */
const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: builder
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: nginx
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
`;
const SA = `# the CI runner's account
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: shop
`;
const ON_SA = /on ServiceAccount "builder"/;

const TREE = join(repoRoot(), 'test', 'fixtures', 'overlays');

/** A copy of the overlay fixture (base, overlays dev and prod) in a repository of its own. */
function overlayTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'podsec-fix-files-'));
  cpSync(TREE, dir, { recursive: true });
  mkdirSync(join(dir, '.git'));
  return dir;
}

const OFF = ['--hardening', 'off'];

function overlayFindings(dir: string, args: string[] = [dir]): Array<[string, string[]]> {
  const r = cli([...OFF, '--format', 'json', ...args]);
  const report = JSON.parse(r.out) as JsonReport;
  return report.files
    .flatMap((f) => f.findings)
    .filter((f) => f.overlays)
    .map((f): [string, string[]] => [f.check, f.overlays ?? []])
    .sort();
}

describe('fixes that edit other files, on the command line', () => {
  it('SARIF: the ServiceAccount fix is one change of its own file, named from the working directory', () => {
    const dir = tempTree({ 'web.yaml': WEB, 'sa.yaml': SA }, 'podsec-fix-files-');
    const r = podsecProcess(['--format', 'sarif', '.'], { cwd: dir });
    assert.equal(r.code, 0, r.err);
    const log = parseSarif(r.out);
    const token = log.runs[0]?.results.find((x) => x.ruleId === 'serviceAccountToken');
    assert.ok(token, 'a serviceAccountToken result');
    assert.equal(token.locations[0]?.physicalLocation.artifactLocation.uri, 'web.yaml');
    const fix = token.fixes?.find((f) => ON_SA.test(f.description.text));
    assert.ok(fix, JSON.stringify(token.fixes?.map((f) => f.description.text)));
    assert.equal(fix.properties.safe, false);
    assert.deepEqual(
      fix.artifactChanges.map((c) => c.artifactLocation.uri),
      ['sa.yaml'],
    );
    // The region counts the ServiceAccount's own lines: after its last line.
    assert.deepEqual(fix.artifactChanges[0]?.replacements[0]?.deletedRegion, {
      startLine: 7,
      startColumn: 1,
      endLine: 7,
      endColumn: 1,
    });
    applySarifFix(dir, fix);
    assert.equal(
      readFileSync(join(dir, 'sa.yaml'), 'utf8'),
      `${SA}automountServiceAccountToken: false\n`,
    );
    const again = parseSarif(podsecProcess(['--format', 'sarif', '.'], { cwd: dir }).out);
    assert.ok(!again.runs[0]?.results.some((x) => x.ruleId === 'serviceAccountToken'));
  });

  it('JSON: a finding whose fix edits another file lists its fixes by file', () => {
    const dir = tempTree({ 'web.yaml': WEB, 'sa.yaml': SA }, 'podsec-fix-files-');
    const r = cli(['--format', 'json', dir]);
    const report = JSON.parse(r.out) as JsonReport;
    const web = report.files.find((f) => f.path === join(dir, 'web.yaml'));
    const token = web?.findings.find((f) => f.check === 'serviceAccountToken');
    assert.ok(token?.fixes, JSON.stringify(web));
    // The pod's own fix, in web.yaml, and the ServiceAccount's, in sa.yaml.
    assert.deepEqual(
      token.fixes.map((f) => f.changes?.map((c) => c.path)),
      [[join(dir, 'web.yaml')], [join(dir, 'sa.yaml')]],
    );
    const fix = token.fixes.find((f) => ON_SA.test(f.title));
    const change = fix?.changes?.[0];
    assert.ok(change);
    assert.deepEqual(change.edits, [
      {
        line: 7,
        column: 1,
        endLine: 7,
        endColumn: 1,
        text: 'automountServiceAccountToken: false\n',
      },
    ]);
    // Findings whose fixes stay in their own file keep the shape they had.
    const other = web?.findings.find((f) => f.check === 'resourceLimits');
    assert.ok(other && other.fixes === undefined);
    writeFileSync(
      join(dir, 'sa.yaml'),
      applyRegions(
        SA,
        change.edits.map((e) => ({ start: e, text: e.text })),
      ),
    );
    const again = JSON.parse(cli(['--format', 'json', dir]).out) as JsonReport;
    assert.ok(!again.files.some((f) => f.findings.some((x) => x.check === 'serviceAccountToken')));
  });

  it('--fix never makes a hardening fix, the ServiceAccount’s included, even with --fix-unsafe', () => {
    const dir = tempTree({ 'web.yaml': WEB, 'sa.yaml': SA }, 'podsec-fix-files-');
    cli(['--fix', '--fix-unsafe', dir]);
    assert.equal(readFileSync(join(dir, 'sa.yaml'), 'utf8'), SA);
    assert.equal(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
  });

  it('SARIF: a fix in one overlay changes its kustomization file and creates its patch; applied, that overlay builds without the finding', () => {
    const dir = overlayTree();
    const r = cli([...OFF, '--format', 'sarif', dir]);
    const log = parseSarif(r.out);
    const ape = log.runs[0]?.results.find(
      (x) =>
        x.ruleId === 'allowPrivilegeEscalation' &&
        x.fixes?.some((f) => /overlays\/dev/.test(f.description.text)),
    );
    assert.ok(ape, 'an allowPrivilegeEscalation result with a fix in overlays/dev');
    assert.equal(
      ape.locations[0]?.physicalLocation.artifactLocation.uri,
      join(dir, 'base', 'deployment.yaml'),
    );
    const fix = ape.fixes?.find((f) => /in overlay overlays\/dev/.test(f.description.text));
    assert.ok(fix);
    assert.deepEqual(
      fix.artifactChanges.map((c) => [c.artifactLocation.uri, c.properties?.create === true]),
      [
        [join(dir, 'overlays', 'dev', 'kustomization.yaml'), false],
        [join(dir, 'overlays', 'dev', 'patch-deployment-web.yaml'), true],
      ],
    );
    const before = overlayFindings(dir);
    assert.ok(
      before.some(([c, o]) => c === 'allowPrivilegeEscalation' && o.includes('overlays/dev')),
    );
    applySarifFix(dir, fix);
    const after = overlayFindings(dir);
    // dev's finding is gone; prod's (its own build) is left.
    assert.ok(
      !after.some(([c, o]) => c === 'allowPrivilegeEscalation' && o.includes('overlays/dev')),
      JSON.stringify(after),
    );
    assert.ok(
      after.some(([c, o]) => c === 'allowPrivilegeEscalation' && o.includes('overlays/prod')),
    );
  });

  it('a fix whose other file cannot be read is left out: SARIF says so in the run’s notifications, JSON gives the reason', () => {
    const dir = overlayTree();
    const kustomization = join(dir, 'overlays', 'dev', 'kustomization.yaml');
    // The outputs read the file through the run's file system; the build has read it already.
    const fs: FsSeam = {
      ...nodeFs,
      openSync: (p, flags, mode) => {
        if (p === kustomization) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return nodeFs.openSync(p, flags, mode);
      },
    };
    const log = parseSarif(cli([...OFF, '--format', 'sarif', dir], { fs }).out);
    const run = log.runs[0];
    const fixes = run?.results.flatMap((x) => x.fixes ?? []) ?? [];
    assert.ok(fixes.length > 0);
    assert.ok(!fixes.some((f) => /in overlay overlays\/dev/.test(f.description.text)));
    assert.ok(fixes.some((f) => /in overlay overlays\/prod/.test(f.description.text)));
    const notes = run?.invocations[0]?.toolExecutionNotifications ?? [];
    assert.ok(notes.length > 0);
    for (const n of notes) {
      assert.equal(n.level, 'warning');
      assert.match(
        n.message.text,
        /in overlay overlays\/dev" .* is left out: .*kustomization\.yaml cannot read/,
      );
      assert.equal(
        n.locations[0]?.physicalLocation.artifactLocation.uri,
        join(dir, 'base', 'deployment.yaml'),
      );
    }
    const report = JSON.parse(cli([...OFF, '--format', 'json', dir], { fs }).out) as JsonReport;
    const listed = report.files.flatMap((f) => f.findings.flatMap((x) => x.fixes ?? []));
    const dev = listed.filter((f) => /in overlay overlays\/dev/.test(f.title));
    assert.ok(dev.length > 0);
    for (const f of dev) {
      assert.equal(f.changes, undefined);
      assert.match(String(f.leftOut), /kustomization\.yaml cannot read/);
    }
  });

  it('--fix on one overlay whose base lies outside the paths given fixes in that overlay, never in the base', () => {
    const dir = overlayTree();
    const base = readFileSync(join(dir, 'base', 'deployment.yaml'), 'utf8');
    const dev = join(dir, 'overlays', 'dev');
    const r = cli([...OFF, '--fix', dev]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.doesNotMatch(r.out, /not written/);
    assert.equal(readFileSync(join(dir, 'base', 'deployment.yaml'), 'utf8'), base);
    assert.match(
      readFileSync(join(dev, 'kustomization.yaml'), 'utf8'),
      /- path: patch-deployment-web\.yaml/,
    );
    assert.match(
      readFileSync(join(dev, 'patch-deployment-web.yaml'), 'utf8'),
      /allowPrivilegeEscalation: false/,
    );
    const left = overlayFindings(dir, [dev]).map(([c]) => c);
    assert.ok(!left.includes('allowPrivilegeEscalation'), JSON.stringify(left));
    // The unsafe one (hostPort) is left without --fix-unsafe.
    assert.ok(left.includes('hostPorts'));
  });
});
