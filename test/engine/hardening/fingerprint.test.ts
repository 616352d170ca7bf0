/**
 * The fingerprint the editor compares to tell whether an edit can move other
 * files' hardening findings: it changes with what other files depend on
 * (labels, namespaces, policies, anchors those read), not with container
 * fields no other file reads, and its length (the work of making it) follows
 * the document's own size, not the size its aliases expand to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardeningSource, sharedFingerprint } from '@podsec/server';

const fp = (text: string): string => {
  const s = hardeningSource('f.yaml', text);
  return sharedFingerprint(s.objects, s.docs);
};

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx
          env: [{name: A, value: "1"}]
`;

describe('hardening fingerprint', () => {
  it('changes with labels, namespaces and names; not with image, env or resources', () => {
    const base = fp(WEB);
    assert.notEqual(base, '');
    assert.notEqual(fp(WEB.replace('app: web', 'app: api')), base);
    assert.notEqual(fp(WEB.replace('namespace: shop', 'namespace: prod')), base);
    assert.notEqual(fp(WEB.replace('name: web', 'name: web2')), base);
    assert.equal(fp(WEB.replace('image: nginx', 'image: httpd')), base);
    assert.equal(fp(WEB.replace('value: "1"', 'value: "2"')), base);
    assert.equal(fp(`${WEB}          resources: {requests: {cpu: 1}}\n`), base);
  });

  it('an anchor defined in a local field and read by another field counts', () => {
    const text = `${WEB.replace('image: nginx', 'image: &img nginx')}        - name: *img\n`;
    assert.equal(hardeningSource('f.yaml', text).objects.length, 1);
    assert.notEqual(fp(text.replace('&img nginx', '&img httpd')), fp(text));
  });

  it('a file without the kinds other files depend on has none', () => {
    assert.equal(fp('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n'), '');
  });

  it('a 1 MB name aliased by 151 containers: about the text’s own length, not 151 MB', () => {
    const name = 'n'.repeat(1024 * 1024);
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amplified\n  labels: {app: x}\nx-name: &n ${name}\nspec:\n  containers:\n`;
    for (let i = 0; i < 151; i++) text += `    - name: *n\n      image: a\n`;
    const s = hardeningSource('amp.yaml', text, { maxFileBytes: 4_000_000 });
    assert.equal(s.objects.length, 1, 'the Pod is read');
    const f = sharedFingerprint(s.objects, s.docs);
    assert.ok(f.length > name.length, 'the anchored name is in it once');
    assert.ok(f.length < text.length * 1.1, `${f.length} characters for a text of ${text.length}`);
    // the same through the decoded objects would repeat the name for every alias
    const decoded = JSON.stringify(s.objects.map((o) => o.value)).length;
    assert.ok(decoded > 100 * text.length, `decoded: ${decoded}`);
  });
});
