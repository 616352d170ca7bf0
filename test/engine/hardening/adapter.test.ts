/**
 * The adapter from the yaml library's documents to the hardening input:
 * decoded JSON as Kubernetes reads YAML (1.1 booleans, merge keys,
 * aliases), resolved namespaces, List items, and a locator that gives the
 * span of a field or of its nearest present ancestor's key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { objectsFromDocument, objectsFromText } from '@podsec/server/out/engine/hardening';
import type { Path } from '@podsec/server/out/engine/hardening';
import { analyze, hardeningSource, mergeHardening, runHardening } from '@podsec/server';

const TEXT = `# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      automountServiceAccountToken: no
      containers:
        - name: app   # the app
          image: nginx
          env:
            - {name: A, value: "1"}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: sa, namespace: tools}
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cm
`;

function located(text: string, path: Path, index = 0): string {
  const { objects } = objectsFromText(text, { file: 'f.yaml', defaultNamespace: 'default' });
  const o = objects[index];
  if (!o) throw new Error('no object');
  const s = o.locate(path);
  return s === null ? '<null>' : text.slice(s.start, s.end);
}

describe('objects from YAML', () => {
  it('decodes documents and List items, with their document and item index', () => {
    const { objects, notes } = objectsFromText(TEXT, {
      file: 'f.yaml',
      defaultNamespace: 'default',
    });
    assert.deepEqual(notes, []);
    assert.deepEqual(
      objects.map((o) => [o.value['kind'], o.document, o.item, o.namespace, o.file]),
      [
        ['Deployment', 0, null, 'default', 'f.yaml'],
        ['ServiceAccount', 1, 0, 'tools', 'f.yaml'],
        ['ConfigMap', 1, 1, 'default', 'f.yaml'],
      ],
    );
  });

  it('reads YAML 1.1 as Kubernetes does (no → false), merge keys and aliases', () => {
    const { objects } = objectsFromText(TEXT, { file: 'f.yaml', defaultNamespace: 'default' });
    const spec = (objects[0]?.value['spec'] as { template: { spec: Record<string, unknown> } })
      .template.spec;
    assert.equal(spec['automountServiceAccountToken'], false);
    const merged = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base {name: a, image: x, resources: {limits: {memory: 1Gi}}}
    - <<: *base
      name: b
`;
    const { objects: o2 } = objectsFromText(merged, { file: 'm.yaml', defaultNamespace: 'ns' });
    const cs = (o2[0]?.value['spec'] as { containers: Array<Record<string, unknown>> }).containers;
    assert.deepEqual(cs[1], { name: 'b', image: 'x', resources: { limits: { memory: '1Gi' } } });
    assert.equal(o2[0]?.namespace, 'ns');
  });

  it('an empty metadata.namespace is the default namespace', () => {
    const { objects } = objectsFromText(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ""}\n',
      {
        file: 'x',
        defaultNamespace: 'dflt',
      },
    );
    assert.equal(objects[0]?.namespace, 'dflt');
  });

  it('skips what is not a Kubernetes object; YAML errors and alias bombs are notes', () => {
    const { objects, notes } = objectsFromText('just: a map\n---\n- a list\n---\nkind: Pod\n', {
      file: 'x',
      defaultNamespace: 'default',
    });
    assert.equal(objects.length, 0);
    assert.equal(notes.length, 0);
    const broken = objectsFromText('apiVersion: v1\nkind: Pod\nmetadata: {name: [}\n', {
      file: 'x',
      defaultNamespace: 'd',
    });
    assert.equal(broken.objects.length, 0);
    assert.match(broken.notes[0]?.message ?? '', /YAML errors/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 6; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    const b = objectsFromText(`apiVersion: v1\nkind: ConfigMap\n${bomb.join('\n')}\n`, {
      file: 'x',
      defaultNamespace: 'd',
    });
    assert.equal(b.objects.length, 0);
    assert.match(b.notes[0]?.message ?? '', /Not evaluated by the hardening checks/);
  });

  it('takes a yaml Document directly (the engine parses once)', () => {
    const docs = parseAllDocuments(TEXT, { version: '1.1' });
    const second = Array.isArray(docs) ? docs[1] : undefined;
    if (!second) throw new Error('no document');
    const r = objectsFromDocument(
      second,
      { file: 'f.yaml', document: 1, defaultNamespace: 'default' },
      TEXT,
    );
    assert.deepEqual(
      r.objects.map((o) => o.value['kind']),
      ['ServiceAccount', 'ConfigMap'],
    );
    const sa = r.objects[0];
    const s = sa?.locate(['metadata', 'name']);
    assert.equal(s && TEXT.slice(s.start, s.end), 'name: sa');
  });
});

describe('the locator', () => {
  it('a scalar field: key and value', () => {
    assert.equal(located(TEXT, ['metadata', 'name']), 'name: web');
    assert.equal(
      located(TEXT, ['spec', 'template', 'spec', 'automountServiceAccountToken']),
      'automountServiceAccountToken: no',
    );
  });
  it('a map or list field: its key', () => {
    assert.equal(located(TEXT, ['spec', 'template', 'metadata', 'labels']), 'labels');
    assert.equal(located(TEXT, ['spec', 'template', 'spec', 'containers']), 'containers');
  });
  it('a list item: its first line; a value after a comment stays clean', () => {
    assert.equal(located(TEXT, ['spec', 'template', 'spec', 'containers', 0]), 'name: app');
    assert.equal(located(TEXT, ['spec', 'template', 'spec', 'containers', 0, 'env', 0]), 'name: A');
    assert.equal(
      located(TEXT, ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']),
      'value: "1"',
    );
  });
  it('a missing field: the nearest present ancestor', () => {
    assert.equal(
      located(TEXT, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits']),
      'name: app',
    );
    assert.equal(located(TEXT, ['spec', 'template', 'spec', 'securityContext']), 'spec');
    assert.equal(located(TEXT, ['spec', 'template', 'spec', 'containers', 5]), 'containers');
    assert.equal(located(TEXT, ['metadata', 'name', 'deeper']), 'name');
  });
  it('the root: its first line', () => {
    assert.equal(located(TEXT, []), 'apiVersion: apps/v1');
  });
  it('List items are located from their own root', () => {
    assert.equal(located(TEXT, ['metadata', 'namespace'], 1), 'namespace: tools');
    assert.equal(located(TEXT, ['metadata', 'name'], 2), 'name: cm');
    assert.equal(located(TEXT, [], 2), 'apiVersion: v1');
  });
  it('follows aliases and merge keys to where the value is written', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base
      name: a
      image: x
    - <<: *base
      name: b
`;
    assert.equal(located(text, ['spec', 'containers', 1, 'name']), 'name: b');
    assert.equal(located(text, ['spec', 'containers', 1, 'image']), 'image: x');
  });
  it('offsets are UTF-16 code units, CRLF line ends are not part of spans', () => {
    const text = 'apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: "🚀"\r\n  namespace: ns\r\n';
    assert.equal(located(text, ['metadata', 'namespace']), 'namespace: ns');
    assert.equal(located(text, ['metadata', 'name']), 'name: "🚀"');
  });
});

/** The containers of the first object of `text`. */
function containers(text: string): Array<Record<string, unknown>> {
  const { objects, notes } = objectsFromText(text, { file: 'm.yaml', defaultNamespace: 'd' });
  assert.deepEqual(notes, []);
  return (objects[0]?.value['spec'] as { containers: Array<Record<string, unknown>> }).containers;
}

const POD = (items: string): string => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base {name: a, image: x}
${items}`;

describe("go-yaml v2's reading, as the Pod Security checks read it", () => {
  it('a quoted "<<" is an ordinary key, never a merge', () => {
    const cs = containers(POD('    - "<<": *base\n      name: b\n'));
    assert.deepEqual(cs[1], { '<<': { name: 'a', image: 'x' }, name: 'b' });
    const single = containers(POD("    - '<<': *base\n      name: b\n"));
    assert.equal(single[1]?.['image'], undefined);
  });

  it('a plain << and a !!merge << merge', () => {
    assert.deepEqual(containers(POD('    - <<: *base\n      name: b\n'))[1], {
      name: 'b',
      image: 'x',
    });
    assert.deepEqual(containers(POD('    - !!merge <<: *base\n      name: b\n'))[1], {
      name: 'b',
      image: 'x',
    });
  });

  it('in document order: a merge after a key writes over it, a key after a merge wins', () => {
    assert.equal(containers(POD('    - name: b\n      <<: *base\n'))[1]?.['name'], 'a');
    assert.equal(containers(POD('    - <<: *base\n      name: b\n'))[1]?.['name'], 'b');
    // a list of maps: the first map wins over the later ones
    const two = POD(
      '    - &other {name: o, image: y, imagePullPolicy: Never}\n    - <<: [*base, *other]\n',
    );
    assert.deepEqual(containers(two)[2], { name: 'a', image: 'x', imagePullPolicy: 'Never' });
    // duplicate keys: the last
    assert.equal(containers(POD('    - {name: b, image: y, name: c}\n'))[1]?.['name'], 'c');
  });

  it('the locator points where the decoded value is written', () => {
    const text = POD('    - name: b\n      <<: *base\n');
    assert.equal(located(text, ['spec', 'containers', 1, 'name']), 'name: a');
    const after = POD('    - <<: *base\n      name: b\n');
    assert.equal(located(after, ['spec', 'containers', 1, 'name']), 'name: b');
  });

  it('scalars: timestamps and base-60 stay text, !!binary is its text, keys are JSON keys', () => {
    const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: {yes: a, 0x10: b, 1.50: c}
data:
  when: 2001-12-14
  clock: 1:20
  bytes: !!binary aGVsbG8=
  octal: 0o17
  old: 017
`;
    const { objects } = objectsFromText(text, { file: 'c.yaml', defaultNamespace: 'd' });
    const v = objects[0]?.value;
    assert.deepEqual((v?.['metadata'] as Record<string, unknown>)['annotations'], {
      true: 'a',
      16: 'b',
      1.5: 'c',
    });
    assert.deepEqual(v?.['data'], {
      when: '2001-12-14',
      clock: '1:20',
      bytes: 'hello',
      octal: 15,
      old: 15,
    });
  });

  it('the hardening checks and the Pod Security checks name the same containers', () => {
    // go-yaml v2: the merge after `name: b` writes name a; a quoted "<<" merges nothing
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base {name: a, image: x, securityContext: {privileged: true}}
    - name: b
      <<: *base
    - "<<": *base
      name: c
      image: y
`;
    const policy = { level: 'restricted' as const, version: 'latest' };
    const run = runHardening([hardeningSource('p.yaml', text)]);
    const a = mergeHardening(analyze(text, { file: 'p.yaml' }), 'p.yaml', run, policy);
    const named = (family: 'hardening' | undefined, check: string): string[] =>
      a.findings
        .filter((f) => f.family === family && f.check === check)
        .map((f) => f.container ?? '')
        .sort();
    assert.deepEqual(named(undefined, 'privileged'), ['a', 'a']);
    assert.deepEqual(named('hardening', 'resourceLimits'), ['a', 'a', 'c']);
  });
});
