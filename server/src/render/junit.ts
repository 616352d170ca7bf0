/**
 * `podsec --format junit`: JUnit XML, as GitLab, Jenkins and Azure
 * Pipelines show test reports. A test suite per file, a test case per
 * object (a workload, or an object a finding is about), a `<failure>` per
 * new finding; a file that could not be read or has YAML errors gets an
 * `<error>` case. Findings of the baseline and suppressed ones are listed
 * in the case's `<system-out>`, not as failures.
 */
import type { Finding, ObjectRef } from '../engine/index';
import type { FileResult } from './fileResult';
import { linesOf } from './fileResult';

/** Text for XML: the five entities escaped, characters XML 1.0 cannot hold dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function objectName(o: ObjectRef): string {
  const name = o.name ?? `(document ${o.document + 1})`;
  return `${o.kind || 'document'} ${o.namespace ? `${o.namespace}/` : ''}${name}`;
}

function objectKey(o: ObjectRef): string {
  return `${o.document}|${o.item ?? ''}|${o.kind}|${o.name ?? ''}`;
}

interface Case {
  name: string;
  failures: string[];
  out: string[];
}

export function toJunit(results: readonly FileResult[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const r of results) {
    const file = r.path.replace(/\\/g, '/');
    const where = (f: { span: { start: number } }) => {
      const p = linesOf(r).humanPosition(f.span.start);
      return `${file}:${p.line}:${p.column}`;
    };
    const cases = new Map<string, Case>();
    const caseOf = (o: ObjectRef): Case => {
      const key = objectKey(o);
      let c = cases.get(key);
      if (!c) {
        c = { name: objectName(o), failures: [], out: [] };
        cases.set(key, c);
      }
      return c;
    };
    for (const w of r.analysis.workloads) caseOf(w.object);
    for (const f of r.analysis.findings) {
      const c = caseOf(f.object);
      if (r.existing?.has(f)) c.out.push(`existing (in the baseline): ${where(f)} ${f.message}`);
      else c.failures.push(failure(f, where(f)));
    }
    for (const f of r.analysis.suppressed ?? []) {
      caseOf(f.object).out.push(
        `suppressed (${f.suppression.justification}): ${where(f)} ${f.message}`,
      );
    }
    const body: string[] = [];
    const fileErrors = [
      ...(r.readError ? [`${file}: ${r.readError}`] : []),
      ...r.analysis.errors.map((d) => `${where(d)} ${d.message} [${d.code}]`),
    ];
    if (fileErrors.length > 0) {
      body.push(
        `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(file)}">\n` +
          `      <error message="${xmlEscape(fileErrors[0] ?? '')}" type="${r.readError ? 'read' : 'yaml'}">${xmlEscape(fileErrors.join('\n'))}</error>\n` +
          `    </testcase>`,
      );
    }
    let suiteFailures = 0;
    for (const c of cases.values()) {
      suiteFailures += c.failures.length > 0 ? 1 : 0;
      body.push(
        `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(c.name)}"` +
          (c.failures.length === 0 && c.out.length === 0
            ? ' />'
            : `>\n${c.failures.join('')}` +
              (c.out.length > 0
                ? `      <system-out>${xmlEscape(c.out.join('\n'))}</system-out>\n`
                : '') +
              '    </testcase>'),
      );
    }
    const suiteTests = cases.size + (fileErrors.length > 0 ? 1 : 0);
    const suiteErrors = fileErrors.length > 0 ? 1 : 0;
    tests += suiteTests;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(
      `  <testsuite name="${xmlEscape(file)}" tests="${suiteTests}" failures="${suiteFailures}" errors="${suiteErrors}" skipped="0">\n` +
        (body.length > 0 ? `${body.join('\n')}\n` : '') +
        '  </testsuite>',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="podsec" tests="${tests}" failures="${failures}" errors="${errors}">\n` +
    (suites.length > 0 ? `${suites.join('\n')}\n` : '') +
    '</testsuites>\n'
  );
}

function failure(f: Finding, where: string): string {
  return (
    `      <failure message="${xmlEscape(f.message)}" type="${xmlEscape(`${f.check} (${f.severity})`)}">` +
    `${xmlEscape(`${where} ${f.message} [${f.check}]`)}</failure>\n`
  );
}
