/**
 * The level advisor's report under the cluster's PodSecurity admission
 * configuration: a namespace's modes are its labels over the configuration's
 * defaults (marked as such), exempt workloads (namespace, runtime class,
 * user) carry their exemption and are never rejected or warned about, an
 * exempt namespace says so (with upstream's warning for its labels), and the
 * text and Markdown reports show all of it. Without a configuration nothing
 * changes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport } from '@podsec/server';
import { reportMarkdown, reportText } from '@podsec/server/out/render/index';
import type { AdvisorReport, ReportNamespace } from '@podsec/server';
import { parseAdmissionConfig } from '@podsec/server/out/engine/config/index';

const CLUSTER = parseAdmissionConfig(
  'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n' +
    'defaults:\n  enforce: baseline\n  warn: restricted\n' +
    'exemptions:\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\n  usernames: [ci-bot]\n',
  '/cluster/psa.yaml',
);

const pod = (name: string, ns: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${extra}  hostPID: true\n  containers: [{name: a, image: a}]\n`;
const LABELLED_SYSTEM =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\n';

const nsOf = (r: AdvisorReport, name: string): ReportNamespace => {
  const ns = r.namespaces.find((n) => n.name === name);
  assert.ok(ns, `namespace ${name} in ${r.namespaces.map((n) => n.name).join()}`);
  return ns;
};
const now = (ns: ReportNamespace) => ns.scenarios.find((s) => s.kind === 'current')!;

describe('the report with an admission configuration', () => {
  const text =
    LABELLED_SYSTEM +
    [
      pod('agent', 'kube-system'),
      pod('sandboxed', 'shop', '  runtimeClassName: kata\n'),
      pod('web', 'shop'),
    ].join('---\n');

  it('the defaults set the modes of an unlabelled namespace, marked as the configuration’s', () => {
    const r = buildReport([{ path: 'pods.yaml', text }], { admission: CLUSTER });
    const shop = nsOf(r, 'shop');
    assert.deepEqual(
      [shop.enforce, shop.warn, shop.audit].map((m) => [m.level, m.labelled, m.fromAdmission]),
      [
        ['baseline', false, true],
        ['restricted', false, true],
        // audit is not in the configuration: upstream's built-in default.
        ['privileged', false, undefined],
      ],
    );
    // Without the configuration: upstream's built-in defaults, nothing rejected.
    const plain = nsOf(buildReport([{ path: 'pods.yaml', text }]), 'shop');
    assert.equal(plain.enforce.level, 'privileged');
    assert.equal(plain.enforce.fromAdmission, undefined);
    assert.deepEqual(now(plain).rejected, []);
  });

  it('exempt workloads carry their exemption and are never rejected; the others are', () => {
    const r = buildReport([{ path: 'pods.yaml', text }], { admission: CLUSTER });
    const shop = nsOf(r, 'shop');
    const byName = new Map(shop.workloads.map((w, i) => [w.name, { w, i }]));
    const sandboxed = byName.get('sandboxed')!;
    const web = byName.get('web')!;
    assert.match(sandboxed.w.exemption ?? '', /runtime class "kata" is listed in/);
    assert.equal(web.w.exemption, undefined);
    // Its level is still what the pod meets on its own.
    assert.equal(sandboxed.w.level, 'privileged');
    assert.deepEqual(now(shop).rejected, [web.i]);
    for (const s of shop.scenarios) assert.ok(!s.rejected.includes(sandboxed.i), s.title);
    for (const s of shop.scenarios) assert.ok(!s.warned.includes(sandboxed.i), s.title);
  });

  it('an exempt namespace says so, with upstream’s warning for the labels it ignores', () => {
    const r = buildReport([{ path: 'pods.yaml', text }], { admission: CLUSTER });
    const system = nsOf(r, 'kube-system');
    assert.match(system.exemption?.message ?? '', /namespace "kube-system" is listed in/);
    assert.match(
      system.exemption?.warning ?? '',
      /namespace "kube-system" is exempt from Pod Security, and the policy \(enforce=restricted:latest\) will be ignored/,
    );
    assert.match(system.workloads[0]?.exemption ?? '', /namespace "kube-system"/);
    assert.deepEqual(now(system).rejected, []);
    assert.equal(nsOf(r, 'shop').exemption, undefined);
  });

  it('an exempt user: a Pod applied by that user is exempt; without --as-user it is not', () => {
    const t = pod('web', 'shop');
    const asBot = buildReport([{ path: 'p.yaml', text: t }], {
      admission: CLUSTER,
      asUser: 'ci-bot',
    });
    assert.match(nsOf(asBot, 'shop').workloads[0]?.exemption ?? '', /requests by "ci-bot"/);
    assert.deepEqual(now(nsOf(asBot, 'shop')).rejected, []);
    const anyone = buildReport([{ path: 'p.yaml', text: t }], { admission: CLUSTER });
    assert.equal(nsOf(anyone, 'shop').workloads[0]?.exemption, undefined);
    assert.deepEqual(now(nsOf(anyone, 'shop')).rejected, [0]);
  });

  it('an exempt user applying a Deployment: its own request (warn) is exempt, its Pods (enforce) are not', () => {
    const deployment = (name: string, extra: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  template:\n    spec:\n${extra}      containers: [{name: a, image: a}]\n`;
    // web meets baseline only (warned at the default warn restricted); agent fails baseline (rejected).
    const t = `${deployment('web', '')}---\n${deployment('agent', '      hostPID: true\n')}`;
    const scenarioOf = (asUser?: string) => {
      const r = buildReport([{ path: 'd.yaml', text: t }], {
        admission: CLUSTER,
        ...(asUser ? { asUser } : {}),
      });
      const shop = nsOf(r, 'shop');
      const names = (ix: number[]) => ix.map((i) => shop.workloads[i]?.name);
      const s = now(shop);
      return { rejected: names(s.rejected), warned: names(s.warned), workloads: shop.workloads };
    };
    assert.deepEqual((({ rejected, warned }) => ({ rejected, warned }))(scenarioOf()), {
      rejected: ['agent'],
      warned: ['web'],
    });
    const bot = scenarioOf('ci-bot');
    assert.deepEqual([bot.rejected, bot.warned], [['agent'], []]);
    assert.deepEqual(
      bot.workloads.map((w) => [w.name, w.exemption, w.exemptModes]),
      [
        ['web', undefined, ['warn']],
        ['agent', undefined, ['warn']],
      ],
    );
  });

  it('text and Markdown show the exemptions and where a default comes from', () => {
    const r = buildReport([{ path: 'pods.yaml', text }], { admission: CLUSTER });
    const plain = reportText(r, false);
    assert.match(plain, /enforce baseline:latest \(admission configuration default\)/);
    assert.match(plain, /^ {2}exempt {2}Exempt from Pod Security: namespace "kube-system"/m);
    assert.match(plain, /^ {2}warning {2}namespace "kube-system" is exempt/m);
    assert.match(
      plain,
      /Pod\/sandboxed +privileged +exempt: Exempt from Pod Security: runtime class "kata"/,
    );
    // The namespace's own exemption is not repeated on each of its workloads.
    assert.match(plain, /Pod\/agent +privileged +exempt$/m);
    assert.match(plain, /now \(enforce baseline:latest\): rejected Pod\/web; warned none/);
    const md = reportMarkdown(r);
    assert.match(md, /enforce \*\*baseline\*\* \(latest\) _admission configuration default_/);
    assert.match(md, /\*\*Exempt from Pod Security: namespace "kube-system" is listed in/);
    assert.match(md, /\| Pod `sandboxed` \| `pods\.yaml:\d+` \| \*\*privileged\*\* · _exempt_ \|/);
    assert.match(
      md,
      /- Pod `sandboxed` is not evaluated by admission: Exempt from Pod Security: runtime class "kata"/,
    );
    assert.doesNotMatch(md, /- Pod `agent` is not evaluated/);
    // Without a configuration, no word of either.
    const bare = buildReport([{ path: 'pods.yaml', text }]);
    assert.doesNotMatch(
      reportText(bare, false) + reportMarkdown(bare),
      /exempt|admission configuration/i,
    );
  });
});
