/**
 * A file read for the hardening checks chunk by chunk (an open document's
 * ChunkParses, each document's ranges counted from its chunk) gives the same
 * objects, locations, findings, fixes and suppressions as the file read
 * whole, on every version; a chunk an edit did not touch is neither parsed
 * nor read again, and its workloads are not evaluated again unless what
 * they depend on changed (counted, no clock).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardeningSource, mergeHardening, runHardening } from '@podsec/server';
import type { HardeningSource } from '@podsec/server';
import { ChunkParses } from '@podsec/server/out/engine/chunkParses';
import { workloadMemoCount } from '@podsec/server/out/engine/hardening/memo';
import { decodeCount, splitDocuments } from '@podsec/server/out/engine/parse';
import { generate } from '../../support/generate';
import {
  hardenedDeployment,
  networkPolicyYaml,
  privilegedPod,
  serviceAccountYaml,
} from '../../support/manifests';

const policy = { level: 'restricted' as const, version: 'latest' };
const empty = { findings: [], errors: [], notes: [], workloads: [], objects: 0 };

const SECRET_POD = `apiVersion: v1
kind: Pod
metadata:
  name: env
  namespace: shop
spec:
  containers:
    - name: app
      image: app
      env: [{name: DB_PASSWORD, value: hunter2hunter2}]
`;
const LIST = `apiVersion: v1
kind: List
items:
  - ${hardenedDeployment('in-list').replace(/\n/g, '\n    ').trimEnd()}
`;

/** Documents the checks find much in: token mounts decided elsewhere, new documents, a list. */
const TEXT = [
  hardenedDeployment('web'),
  `---\n${hardenedDeployment('api', { namespace: 'shop' })}`,
  `---\n${SECRET_POD.replace('      env:', '      # podsec-ignore secretInEnv -- a test value\n      env:')}`,
  `---\n${serviceAccountYaml('default', 'shop', { automount: true })}`,
  `---\n${LIST}`,
  '---\nkey: [unclosed\n',
  `---\n${networkPolicyYaml('api', 'shop', 'api')}`,
  `---\n${privilegedPod('last')}`,
].join('');

/** What a reader of a source sees: objects, where paths are, notes, merged findings with fixes. */
function seen(source: HardeningSource) {
  const run = runHardening([source]);
  const merged = mergeHardening(empty, source.file, run, policy);
  return {
    objects: source.objects.map((o) => ({
      value: o.value,
      document: o.document,
      item: o.item,
      namespace: o.namespace,
      at: [[], ['metadata', 'name'], ['spec', 'template', 'spec', 'containers', 0], ['nope']].map(
        (p) => o.locate(p),
      ),
    })),
    notes: source.notes,
    findings: merged.findings.map((f) => [f.check, f.span, f.message, f.object, f.fixes]),
    suppressed: (merged.suppressed ?? []).map((f) => [f.check, f.span, f.suppression]),
    runNotes: merged.notes,
    result: run.result,
  };
}

const whole = (text: string) => seen(hardeningSource('f.yaml', text));

describe('hardening sources read chunk by chunk', () => {
  it('the same objects, places, findings, fixes and suppressions as the file read whole', () => {
    const chunks = new ChunkParses();
    const source = hardeningSource('f.yaml', TEXT, { chunks });
    assert.equal(chunks.lastParsed, 8);
    assert.ok(source.chunkOf && source.chunkOf.length === source.docs?.length);
    const got = seen(source);
    assert.deepEqual(got, whole(TEXT));
    // the cases this file is for are there
    const checks = new Set(got.findings.map((f) => f[0]));
    assert.ok(checks.has('networkPolicyIsolation') && checks.has('serviceAccountToken'));
    assert.ok(got.suppressed.some((s) => s[0] === 'secretInEnv'));
    const added = got.findings.flatMap((f) => f[4] as Array<{ edits: Array<{ start: number }> }>);
    assert.ok(
      added.some((fx) => fx.edits.some((e) => e.start === TEXT.length)),
      'a new document',
    );
  });

  it('every version of an edited file, with only the chunks of new text parsed', () => {
    const chunks = new ChunkParses();
    let text = TEXT;
    hardeningSource('f.yaml', text, { chunks });
    const edits: Array<(t: string) => string> = [
      (t) => t.replace('name: api', 'name: apis'),
      (t) => `${hardenedDeployment('first')}---\n${t}`,
      (t) => t.replace('value: hunter2hunter2', 'value: hunter3hunter3'),
      (t) => t.replace(`---\n${networkPolicyYaml('api', 'shop', 'apis')}`, ''),
      (t) => `${t}---\n${hardenedDeployment('tail')}`,
    ];
    const slices = (t: string) => new Set(splitDocuments(t).map((c) => t.slice(c.start, c.end)));
    for (const edit of edits) {
      const was = slices(text);
      text = edit(text);
      const before = decodeCount.texts;
      const source = hardeningSource('f.yaml', text, { chunks });
      // the chunks whose text is new, and nothing else
      const fresh = [...slices(text)].filter((c) => !was.has(c)).length;
      assert.ok(fresh <= 2);
      assert.equal(chunks.lastParsed, fresh);
      assert.equal(decodeCount.texts - before, fresh);
      assert.deepEqual(seen(source), whole(text));
    }
  });

  it('CRLF line ends are kept in fixes; a file mixing line ends is read whole', () => {
    const crlf = TEXT.replace(/\n/g, '\r\n');
    const chunks = new ChunkParses();
    const source = hardeningSource('f.yaml', crlf, { chunks });
    assert.ok(source.chunkOf);
    assert.deepEqual(seen(source), whole(crlf));
    // the first document ends its lines with \n only, the others with \r\n
    const first = TEXT.indexOf('---');
    const mixed = TEXT.slice(0, first) + TEXT.slice(first).replace(/\n/g, '\r\n');
    const read = hardeningSource('f.yaml', mixed, { chunks });
    assert.equal(read.chunkOf, undefined);
    assert.deepEqual(seen(read), whole(mixed));
  });

  it('a generated file of 100 workloads: the same as read whole, before and after an edit', () => {
    const big = generate({ workloads: 100, seed: 7 });
    const chunks = new ChunkParses();
    assert.deepEqual(seen(hardeningSource('f.yaml', big, { chunks })), whole(big));
    const at = big.indexOf('replicas: ', Math.floor(big.length / 2)) + 'replicas: '.length;
    const edited = `${big.slice(0, at)}7${big.slice(at + 1)}`;
    assert.deepEqual(seen(hardeningSource('f.yaml', edited, { chunks })), whole(edited));
    assert.equal(chunks.lastParsed, 1);
  });

  it('a workload is evaluated again when it or its namespace changed, else its results move', () => {
    const chunks = new ChunkParses();
    const ns = (name: string, namespace: string) => hardenedDeployment(name, { namespace });
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    let text = names.map((n, i) => `---\n${ns(n, i % 2 === 0 ? 'shop' : 'web')}`).join('');
    // (a workload whose finding is placed at a ServiceAccount is evaluated on every run)
    text += `---\n${serviceAccountYaml('default', 'shop', { automount: false })}`;
    /** Workloads evaluated by the checks' memos for a version (three checks keep workloads). */
    const run = (t: string) => {
      const before = workloadMemoCount.computed;
      const source = hardeningSource('f.yaml', t, { chunks });
      const got = seen(source);
      const computed = workloadMemoCount.computed - before;
      assert.deepEqual(got, whole(t));
      return computed;
    };
    assert.equal(run(text), 3 * 6);
    assert.equal(run(text), 0, 'the same text: nothing evaluated again');
    // one workload changed in place: each of the three checks evaluates it
    text = text.replace('name: c\n', 'name: x\n');
    assert.equal(run(text), 3);
    // a longer name moves every later document: only that workload is evaluated again
    text = text.replace('name: b\n', 'name: bee\n');
    assert.equal(run(text), 3);
    // a document put in front moves every document index
    text = `${serviceAccountYaml('other', 'web')}${text}`;
    // …and a new ServiceAccount in web: the token check evaluates the three workloads of web again
    assert.equal(run(text), 3);
    // a NetworkPolicy in shop: the network check evaluates the three workloads of shop again
    text = `${text}---\n${networkPolicyYaml('p', 'shop', 'a')}`;
    assert.equal(run(text), 3);
  });
});
