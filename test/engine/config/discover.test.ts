/**
 * Finding the cluster's admission configuration in a workspace when none is
 * named: used when exactly one exists; a note when several do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseAdmissionConfig,
  findAdmissionConfigs,
} from '@podsec/server/out/engine/config/index';

const ADMISSION = (path: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    path: ${path}
`;
const PSC = 'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n';
const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\n';

describe('findAdmissionConfigs', () => {
  it('finds AdmissionConfigurations with a PodSecurity entry and bare PodSecurityConfigurations', () => {
    const found = findAdmissionConfigs([
      { path: '/ws/deploy.yaml', text: DEPLOY },
      { path: '/ws/cluster/psa.yaml', text: PSC },
      {
        path: '/ws/other/admission.yaml',
        text: 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: EventRateLimit\n    path: e.yaml\n',
      },
      // mentions the kind in a comment only
      { path: '/ws/notes.yaml', text: `# see PodSecurityConfiguration\n${DEPLOY}` },
    ]);
    assert.deepEqual(found, [
      { file: '/ws/cluster/psa.yaml', kind: 'PodSecurityConfiguration', points: null },
    ]);
  });

  it('a PodSecurityConfiguration named by an AdmissionConfiguration path is part of it', () => {
    const found = findAdmissionConfigs(
      new Map([
        ['/ws/cluster/admission.yaml', ADMISSION('psa/podsecurity.yaml')],
        ['/ws/cluster/psa/podsecurity.yaml', PSC],
      ]),
    );
    assert.deepEqual(found, [
      {
        file: '/ws/cluster/admission.yaml',
        kind: 'AdmissionConfiguration',
        points: '/ws/cluster/psa/podsecurity.yaml',
      },
    ]);
  });

  it('only first documents count, as the API server reads only those', () => {
    assert.deepEqual(
      findAdmissionConfigs([{ path: '/ws/a.yaml', text: `${DEPLOY}---\n${PSC}` }]),
      [],
    );
  });

  it('broken YAML: found when its kind reads (its errors are then reported), else skipped; never a throw', () => {
    const half = 'kind: PodSecurityConfiguration\ndefaults: [\n';
    assert.deepEqual(
      findAdmissionConfigs([{ path: '/ws/a.yaml', text: half }]).map((f) => f.file),
      ['/ws/a.yaml'],
    );
    assert.deepEqual(
      findAdmissionConfigs([{ path: '/ws/b.yaml', text: '[PodSecurityConfiguration\n' }]),
      [],
    );
  });
});

describe('chooseAdmissionConfig', () => {
  const one = [{ file: '/ws/psa.yaml', kind: 'PodSecurityConfiguration' as const, points: null }];
  const two = [
    ...one,
    { file: '/ws/b/admission.yaml', kind: 'AdmissionConfiguration' as const, points: null },
  ];

  it('the named one, whatever is found', () => {
    assert.deepEqual(chooseAdmissionConfig('/etc/psa.yaml', two), {
      file: '/etc/psa.yaml',
      reason: 'named',
      note: null,
    });
  });

  it('exactly one found: used', () => {
    assert.deepEqual(chooseAdmissionConfig(null, one), {
      file: '/ws/psa.yaml',
      reason: 'discovered',
      note: null,
    });
  });

  it('none: the built-in defaults, no note', () => {
    assert.deepEqual(chooseAdmissionConfig(null, []), { file: null, reason: 'none', note: null });
  });

  it('several and none named: none used, a note naming them', () => {
    const c = chooseAdmissionConfig(null, two);
    assert.equal(c.file, null);
    assert.equal(c.reason, 'ambiguous');
    assert.match(
      c.note ?? '',
      /2 admission configurations found \(\/ws\/psa\.yaml, \/ws\/b\/admission\.yaml\)/,
    );
    assert.match(c.note ?? '', /admissionConfiguration in \.podsec\.yaml/);
  });
});
