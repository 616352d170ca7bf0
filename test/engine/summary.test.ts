/**
 * The short form of findings (findingSummary): over every fail case of the
 * project's conformance generator, each finding's summary names the workload
 * (and its container), leads with what to do, and leaves upstream's wording
 * and the field path to `message`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import {
  analyze,
  clip,
  findingSubject,
  findingSummary,
  hardeningSource,
  mergeHardening,
  runHardening,
  CHECK_IDS,
  HARDENING_CHECK_IDS,
} from '@podsec/server';
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
        // Long names are cut in the short form (the message keeps them whole).
        assert.ok(s.startsWith(`Pod ${clip(f.object.name ?? '', 24)}`), `${c.path}: ${s}`);
        if (f.container !== null)
          assert.ok(who.endsWith(`, container ${clip(f.container, 24)}`), who);
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

  it('cuts long workload and container names, so the common messages stay near 100 characters', () => {
    const long = 'a-container-with-a-very-long-descriptive-name-x';
    const a = analyze(deploymentYaml({ name: 'frontend', container: long }));
    const seccomp = a.findings.find((f) => f.check === 'seccompProfile_restricted') as Finding;
    assert.equal(
      findingSummary(seccomp),
      'Deployment frontend, container a-container-with-a-very…: set securityContext.seccompProfile.type to RuntimeDefault or Localhost',
    );
    // The whole name stays in upstream's message.
    assert.ok(seccomp.message.includes(long));
    // The longest common action (seccomp, 71 characters) with a name at the cut.
    for (const f of a.findings) assert.ok(findingSummary(f).length <= 128, findingSummary(f));
    const both = analyze(deploymentYaml({ name: long, container: long })).findings;
    assert.ok(
      findingSummary(both[0]!).includes(
        `Deployment ${clip(long, 24)}, container ${clip(long, 24)}: `,
      ),
    );
  });

  it('gives the hardening checks the same short form; the message keeps the whole story', () => {
    const files: Record<string, string> = {
      'web.yaml': `${deploymentYaml({ name: 'web' })}---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: hunter2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: nothing}
spec:
  podSelector: {matchLabels: {app: none}}
  policyTypes: [Ingress]
`,
      'env.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      automountServiceAccountToken: true
      containers:
        - name: app
          image: x
          env: [{name: DB_PASSWORD, value: "s3cr3t-value"}]
          resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {memory: 10Mi}}
`,
    };
    const run = runHardening(Object.entries(files).map(([f, t]) => hardeningSource(f, t)));
    const got = new Map<string, string>();
    for (const [file, text] of Object.entries(files)) {
      const merged = mergeHardening(analyze(text), file, run, {
        level: 'restricted',
        version: 'latest',
      });
      for (const f of merged.findings.filter((x) => x.family === 'hardening')) {
        const s = findingSummary(f);
        const who = findingSubject(f);
        assert.ok(who !== '' && s.startsWith(`${who}: `), s);
        assert.notEqual(s, f.message, 'the message keeps the whole story');
        assert.ok(s.length <= 110, s);
        got.set(`${f.check} ${who}`, s);
      }
    }
    assert.deepEqual(Object.fromEntries([...got].sort()), {
      'networkPolicyIsolation Deployment api':
        'Deployment api: add a NetworkPolicy that selects its pods (none does)',
      'networkPolicyIsolation Deployment web':
        'Deployment web: add a NetworkPolicy that selects its pods (none does)',
      'networkPolicyUnmatched NetworkPolicy nothing':
        'NetworkPolicy nothing: check its podSelector: it selects no workload of namespace default',
      'resourceLimits Deployment web, container app':
        'Deployment web, container app: set resources.limits.memory',
      'resourceRequests Deployment web, container app':
        'Deployment web, container app: set resources.requests.cpu and resources.requests.memory',
      'secretInEnv Deployment api, container app':
        'Deployment api, container app: take env DB_PASSWORD from a Secret (valueFrom.secretKeyRef)',
      'secretManifest Secret creds':
        'Secret creds: keep the value of stringData out of the repository (a secret store, SealedSecret, SOPS)',
      'serviceAccountToken Deployment api':
        'Deployment api: set automountServiceAccountToken to false',
      'serviceAccountToken Deployment web':
        'Deployment web: set automountServiceAccountToken to false (it defaults to true)',
    });
    assert.ok(HARDENING_CHECK_IDS.length > 0);
  });
});
