/**
 * The short form of findings (findingSummary): over every fail case of the
 * project's conformance generator, each finding's summary names the workload
 * (and its container), leads with what to do, and leaves upstream's wording
 * and the field path to `message`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { analyze, findingSubject, findingSummary, CHECK_IDS } from '@podsec/server';
import type { Finding } from '@podsec/server';
import { generateCases } from '../support/conformanceCases';
import { deploymentYaml } from '../support/manifests';

const INSECURE = deploymentYaml({ name: 'web', securityContext: { privileged: true } });

const ACTION = /^(set|remove|replace) /;

describe('findingSummary', () => {
  it('names the workload and container and says what to do, for every check', () => {
    const seen = new Map<string, number>();
    let longest: { length: number; summary: string } = { length: 0, summary: '' };
    const names = new Set<string>();
    for (const c of generateCases()) {
      // Each case once (its first version): later versions repeat the same pods.
      const name = String((c.pod.metadata as { name?: unknown } | undefined)?.name);
      if (c.expect !== 'fail' || names.has(name)) continue;
      names.add(name);
      const a = analyze(stringify(c.pod), { level: c.level, version: c.version });
      for (const f of a.findings) {
        const s = findingSummary(f);
        const who = findingSubject(f);
        assert.ok(s.startsWith(`Pod ${f.object.name ?? ''}`), `${c.path}: ${s}`);
        if (f.container !== null) assert.ok(who.endsWith(`, container ${f.container}`), who);
        const action = s.slice(who.length + 2);
        assert.match(action, ACTION, `${c.path} ${f.check}: ${s}`);
        assert.ok(!s.includes(' at spec.'), `no field path in ${s}`);
        assert.notEqual(s, f.message);
        assert.ok(f.message.includes(f.reason), 'message keeps upstream wording');
        seen.set(f.check, (seen.get(f.check) ?? 0) + 1);
        // The pods' names are the cases' long names: measure the action alone, except the
        // deprecated annotations, whose keys are long.
        if (action.length > longest.length && !action.includes('annotation')) {
          longest = { length: action.length, summary: s };
        }
      }
    }
    assert.deepEqual(
      CHECK_IDS.filter((id) => !seen.has(id)),
      [],
      'every check has a summary case',
    );
    assert.ok(longest.length <= 80, `longest action: ${longest.summary}`);
  });

  it('reads as the issue asks for a Deployment', () => {
    const a = analyze(INSECURE);
    const by = (check: string) => a.findings.find((f) => f.check === check) as Finding;
    assert.equal(
      findingSummary(by('seccompProfile_restricted')),
      'Deployment web, container app: set securityContext.seccompProfile.type to RuntimeDefault or Localhost',
    );
    assert.equal(
      findingSummary(by('privileged')),
      'Deployment web, container app: set securityContext.privileged to false',
    );
  });

  it('names the value: capability, port, volume, sysctl, host namespace', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostPID: true
  securityContext:
    sysctls: [{name: kernel.msgmax, value: "1"}]
  volumes: [{name: data, hostPath: {path: /var}}]
  containers:
    - name: c
      image: x
      ports: [{containerPort: 80, hostPort: 8080}]
      securityContext:
        capabilities: {add: [SYS_ADMIN]}
`;
    const a = analyze(text, { level: 'baseline' });
    const summaries = a.findings.map(findingSummary).sort();
    assert.deepEqual(summaries, [
      'Pod p, container c: remove SYS_ADMIN from securityContext.capabilities.add',
      'Pod p, container c: remove hostPort 8080',
      'Pod p: remove hostPID: true',
      'Pod p: remove hostPath volume data',
      'Pod p: remove sysctl kernel.msgmax',
    ]);
  });

  it('leaves findings that are not checks as they are', () => {
    const a = analyze(`# podsec-ignore nosuch -- why\n${INSECURE}`);
    const inv = a.findings.find((f) => f.check === 'invalidSuppression');
    assert.ok(inv);
    assert.equal(findingSummary(inv), inv.message);
  });
});
