/**
 * The CI formats: GitHub workflow commands (one per finding, escaped as the
 * runner requires), JUnit XML (a case per object, a failure per finding),
 * several formats in one run (--output), and the job summary (--summary).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeData, escapeProperty } from '@podsec/server/out/render/index';
import { privilegedPod, restrictedPod } from '../support/manifests';
import { cli as runCli, tempTree } from '../support/cli';
import type { Ran } from '../support/cli';

/** The hardening checks are off: these tests count Pod Security findings. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Ran =>
  runCli(['--hardening', 'off', ...args], { env });

const dir = (files: Record<string, string>): string => tempTree(files, 'podsec-formats-');

/** Undoes the runner's escaping of a command's message and properties. */
const unescape = (s: string) =>
  s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

describe('--format github', () => {
  it('one workflow command per finding and error, with the region and a title', () => {
    const d = dir({ 'bad.yaml': privilegedPod('p'), 'broken.yaml': 'a: [\n' });
    const r = cli(['--level', 'baseline', '--format', 'github', d]);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 2, r.out);
    const priv = lines.find((l) => l.includes('privileged'));
    assert.match(
      priv ?? '',
      /^::error file=[^,]*bad\.yaml,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=podsec privileged::privileged \(container "app" must not set securityContext\.privileged=true\) at spec\.containers\[0\]\.securityContext\.privileged$/,
    );
    assert.match(
      lines.find((l) => l.includes('broken')) ?? '',
      /^::error file=.*broken\.yaml,line=\d+,.*title=podsec yaml::Flow sequence/,
    );
    // Warnings and information map to ::warning and ::notice.
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/warn: baseline\n    pod-security.kubernetes.io/audit: baseline\n---\n${privilegedPod('q').replace('name: q', 'name: q\n  namespace: shop')}`;
    const w = cli(['--format', 'github', dir({ 'ns.yaml': ns })]);
    assert.match(w.out, /^::warning file=.*title=podsec privileged::/m);
    assert.equal(w.code, 0);
  });

  it('escapes what would end a command or start another', () => {
    assert.equal(escapeData('50% done\r\n::error::x'), '50%25 done%0D%0A::error::x');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
    // A file name with a comma, a colon and a newline stays one property.
    const d = dir({});
    const name = join(d, 'odd,name: x\n.yaml');
    writeFileSync(name, privilegedPod('p'));
    const r = cli(['--level', 'baseline', '--format', 'github', name]);
    const line = r.out.trim();
    assert.equal(line.split('\n').length, 1);
    const file = /^::error file=([^,]*),line=/.exec(line)?.[1];
    assert.equal(unescape(file ?? ''), name);
  });
});

describe('--format junit', () => {
  it('a suite per file, a case per object, a failure per finding; errors and existing ones apart', () => {
    const d = dir({
      'a.yaml': `${privilegedPod('bad')}---\n${restrictedPod('good')}`,
      'broken.yaml': 'a: [\n',
    });
    const r = cli(['--format', 'junit', d]);
    assert.equal(XMLValidator.validate(r.out), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      r.out,
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        errors: string;
        testsuite: Array<{
          name: string;
          testcase: Array<{ name: string; failure?: unknown }> | { name: string; error?: unknown };
        }>;
      };
    };
    const suites = doc.testsuites.testsuite;
    assert.equal(suites.length, 2);
    const a = suites.find((s) => s.name.endsWith('a.yaml'));
    const cases = a?.testcase as Array<{
      name: string;
      failure?: Array<{ type: string }> | { type: string };
    }>;
    assert.deepEqual(
      cases.map((c) => c.name),
      ['Pod bad', 'Pod good'],
    );
    const failures = cases[0]?.failure;
    const list = Array.isArray(failures) ? failures : failures ? [failures] : [];
    assert.ok(
      list.some((f) => f.type === 'privileged (error)'),
      JSON.stringify(list),
    );
    assert.equal(cases[1]?.failure, undefined);
    assert.equal(doc.testsuites.failures, '1');
    assert.equal(doc.testsuites.errors, '1');
    const broken = suites.find((s) => s.name.endsWith('broken.yaml'));
    assert.ok((broken?.testcase as { error?: unknown }).error);
  });

  it('escapes XML and drops characters XML cannot hold', () => {
    const d = dir({});
    const name = join(d, 'a&<"\u0001.yaml');
    writeFileSync(name, privilegedPod('p<&>'));
    const r = cli(['--level', 'baseline', '--format', 'junit', name]);
    assert.equal(XMLValidator.validate(r.out), true, r.out);
    assert.match(r.out, /name="Pod p&lt;&amp;&gt;"/);
  });
});

describe('several formats in one run, and the job summary', () => {
  it('--format sarif --output f --format text: SARIF to the file, text to the terminal', () => {
    const d = dir({ 'bad.yaml': privilegedPod('p') });
    const sarif = join(d, 'out.sarif');
    const xml = join(d, 'out.xml');
    const r = cli([
      '--level',
      'baseline',
      '--format',
      'sarif',
      '--output',
      sarif,
      '--format',
      'junit',
      '-o',
      xml,
      '--format',
      'text',
      join(d, 'bad.yaml'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.out, /^✖ 1 finding/m);
    assert.equal((JSON.parse(readFileSync(sarif, 'utf8')) as { version: string }).version, '2.1.0');
    assert.match(readFileSync(xml, 'utf8'), /<testsuites name="podsec"/);
    // Only --output: nothing on standard output.
    assert.equal(
      cli(['--format', 'json', '--output', join(d, 'x.json'), join(d, 'bad.yaml')]).out,
      '',
    );
  });

  it('usage errors: two formats to standard output, --output twice, an unknown format, an unwritable file', () => {
    const d = dir({ 'bad.yaml': privilegedPod('p') });
    const f = join(d, 'bad.yaml');
    assert.match(
      cli(['--format', 'json', '--format', 'text', f]).err,
      /more than one --format writes to standard output/,
    );
    assert.match(
      cli(['--format', 'json', '-o', 'a', '-o', 'b', f]).err,
      /give a --format before each --output/,
    );
    assert.match(cli(['--format', 'xml', f]).err, /expected text, json, sarif, github or junit/);
    const bad = cli(['--format', 'json', '--output', join(d, 'missing', 'x.json'), f]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /cannot write .*x\.json: ENOENT/);
  });

  it('--summary appends the report to $GITHUB_STEP_SUMMARY, and says so when it is not set', () => {
    const d = dir({ 'bad.yaml': privilegedPod('p'), 'summary.md': '# before\n' });
    const summary = join(d, 'summary.md');
    const r = cli(['--level', 'baseline', '--summary', join(d, 'bad.yaml')], {
      GITHUB_STEP_SUMMARY: summary,
    });
    assert.equal(r.code, 1);
    const md = readFileSync(summary, 'utf8');
    assert.ok(md.startsWith('# before\n### podsec: 1 new finding, 0 existing, 0 suppressed\n'), md);
    // Then the level advisor's report, as podsec report --format markdown prints it.
    const report = runCli([
      'report',
      '--hardening',
      'off',
      '--format',
      'markdown',
      join(d, 'bad.yaml'),
    ]).out;
    assert.ok(report.length > 0 && md.includes(report.trim()), md);
    const none = cli(['--summary', join(d, 'bad.yaml')]);
    assert.match(none.err, /GITHUB_STEP_SUMMARY is not set; no summary written/);
  });
});
