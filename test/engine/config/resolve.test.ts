/**
 * Which `.podsec.yaml` applies to a file (the nearest, up to the workspace
 * or repository root), read once per folder, and which layer chose each
 * setting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigResolver,
  effectiveSettings,
  isExcluded,
  matchesExclude,
  originPhrase,
  parseProjectConfig,
} from '@podsec/server/out/engine/config/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\n';

describe('nearest .podsec.yaml', () => {
  const fs = new MemoryFs({
    '/ws/.git/HEAD': 'ref: refs/heads/main\n',
    '/ws/.podsec.yaml': 'level: baseline\n',
    '/ws/apps/shop/deploy.yaml': DEPLOY,
    '/ws/apps/shop/.podsec.yml': 'level: privileged\n',
    '/ws/apps/shop/sub/deeper/deploy.yaml': DEPLOY,
    '/ws/apps/cart/deploy.yaml': DEPLOY,
    '/ws/deploy.yaml': DEPLOY,
  });

  it('the nearest file wins, found upward from the file', () => {
    const r = new ConfigResolver(fs, { roots: ['/ws'] });
    assert.equal(r.forFile('/ws/apps/shop/deploy.yaml')?.file, '/ws/apps/shop/.podsec.yml');
    assert.equal(r.forFile('/ws/apps/shop/sub/deeper/deploy.yaml')?.settings.level, 'privileged');
    assert.equal(r.forFile('/ws/apps/cart/deploy.yaml')?.file, '/ws/.podsec.yaml');
    assert.equal(r.forFile('/ws/deploy.yaml')?.settings.level, 'baseline');
  });

  it('files never merge: the nearest one is the whole configuration', () => {
    const merged = new MemoryFs({
      '/ws/.podsec.yaml': 'level: baseline\nversion: v1.25\n',
      '/ws/a/.podsec.yaml': 'level: privileged\n',
    });
    const c = new ConfigResolver(merged, { roots: ['/ws'] }).forFile('/ws/a/x.yaml');
    assert.deepEqual(c?.settings, { level: 'privileged' });
  });

  it('stops at the workspace root', () => {
    const outer = new MemoryFs({
      '/home/me/.podsec.yaml': 'level: privileged\n',
      '/home/me/ws/app/deploy.yaml': DEPLOY,
    });
    assert.equal(
      new ConfigResolver(outer, { roots: ['/home/me/ws'] }).forFile('/home/me/ws/app/deploy.yaml'),
      null,
    );
    // without a root, the search goes on to / and finds it
    assert.equal(
      new ConfigResolver(outer).forFile('/home/me/ws/app/deploy.yaml')?.file,
      '/home/me/.podsec.yaml',
    );
  });

  it('stops at a repository root (.git folder or worktree file)', () => {
    for (const git of ['/home/me/repo/.git/HEAD', '/home/me/repo/.git']) {
      const tree = new MemoryFs({
        '/home/me/.podsec.yaml': 'level: privileged\n',
        [git]: 'gitdir: /elsewhere\n',
        '/home/me/repo/app/deploy.yaml': DEPLOY,
      });
      const r = new ConfigResolver(tree);
      assert.equal(r.forFile('/home/me/repo/app/deploy.yaml'), null, git);
      assert.deepEqual(r.searchPath('/home/me/repo/app'), ['/home/me/repo/app', '/home/me/repo']);
    }
  });

  it("the repository root's own file applies", () => {
    const tree = new MemoryFs({
      '/repo/.git/HEAD': 'x',
      '/repo/.podsec.yaml': 'version: v1.29\n',
      '/repo/app/deploy.yaml': DEPLOY,
    });
    assert.equal(
      new ConfigResolver(tree).forFile('/repo/app/deploy.yaml')?.settings.version,
      'v1.29',
    );
  });

  it('both names in one folder: an error in both files; .podsec.yaml applies', () => {
    const tree = new MemoryFs({
      '/ws/.podsec.yaml': 'level: baseline\n',
      '/ws/.podsec.yml': 'level: privileged\n',
      '/ws/x.yaml': DEPLOY,
    });
    const c = new ConfigResolver(tree, { roots: ['/ws'] }).forFile('/ws/x.yaml');
    assert.equal(c?.file, '/ws/.podsec.yaml');
    assert.equal(c?.settings.level, 'baseline');
    const errors = c?.diagnostics.filter((d) => d.severity === 'error') ?? [];
    assert.deepEqual(
      errors.map((d) => d.file),
      ['/ws/.podsec.yaml', '/ws/.podsec.yml'],
    );
    for (const e of errors) {
      assert.match(e.message, /\/ws\/\.podsec\.yaml/);
      assert.match(e.message, /\/ws\/\.podsec\.yml/);
    }
  });

  it('an unreadable file is an error, never a silent fall-through to a file further up', () => {
    const tree = {
      readText: (p: string) => (p === '/ws/.podsec.yaml' ? 'level: privileged\n' : null),
      list: (p: string) =>
        p === '/ws'
          ? [
              { name: '.podsec.yaml', dir: false },
              { name: 'app', dir: true },
            ]
          : p === '/ws/app'
            ? [{ name: '.podsec.yaml', dir: false }]
            : null,
    };
    const c = new ConfigResolver(tree, { roots: ['/ws'] }).forFile('/ws/app/x.yaml');
    assert.equal(c?.file, '/ws/app/.podsec.yaml');
    assert.deepEqual(c?.settings, {});
    assert.equal(c?.diagnostics[0]?.severity, 'error');
    assert.match(c?.diagnostics[0]?.message ?? '', /could not be read/);
  });

  it('reads each folder once, until invalidated', () => {
    const tree = new MemoryFs({
      '/ws/.podsec.yaml': 'level: baseline\n',
      '/ws/a/b/c/one.yaml': DEPLOY,
      '/ws/a/b/c/two.yaml': DEPLOY,
      '/ws/a/b/d/three.yaml': DEPLOY,
    });
    const r = new ConfigResolver(tree, { roots: ['/ws'] });
    r.forFile('/ws/a/b/c/one.yaml');
    const first = r.reads;
    // 4 folders listed (/ws/a/b/c, /ws/a/b, /ws/a, /ws) and one file read
    assert.equal(first, 5);
    r.forFile('/ws/a/b/c/two.yaml');
    assert.equal(r.reads, first);
    r.forFile('/ws/a/b/d/three.yaml');
    assert.equal(r.reads, first + 1);

    tree.set('/ws/a/.podsec.yaml', 'level: privileged\n');
    assert.equal(r.forFile('/ws/a/b/c/one.yaml')?.settings.level, 'baseline'); // cached
    r.invalidate('/ws/a/.podsec.yaml');
    assert.equal(r.forFile('/ws/a/b/c/one.yaml')?.settings.level, 'privileged');
    tree.delete('/ws/a/.podsec.yaml');
    r.invalidate('/ws/a/.podsec.yaml');
    assert.equal(r.forFile('/ws/a/b/c/one.yaml')?.settings.level, 'baseline');
    r.clear();
    const before = r.reads;
    r.forFile('/ws/a/b/c/one.yaml');
    assert.ok(r.reads > before);
  });
});

describe('precedence and origins', () => {
  const text = 'level: baseline\nseverity:\n  runAsNonRoot: off\nexclude: [charts/**]\n';
  const file = parseProjectConfig(text, '/ws/.podsec.yaml');

  it('the command line over the file over defaults', () => {
    const e = effectiveSettings({ cli: { version: 'v1.30' }, file });
    assert.equal(e.level.value, 'baseline');
    assert.equal(e.level.origin.kind, 'file');
    assert.equal(e.version.value, 'v1.30');
    assert.deepEqual(e.version.origin, { kind: 'cli', option: '--policy-version' });
    assert.equal(e.namespaceLabels.value, true);
    assert.equal(e.namespaceLabels.origin.kind, 'default');
    const cli = effectiveSettings({ cli: { level: 'restricted' }, file });
    assert.equal(cli.level.value, 'restricted');
    assert.equal(originPhrase(cli.level.origin), '--level');
  });

  it('VS Code settings apply only where the file is silent', () => {
    const e = effectiveSettings({
      file,
      editor: {
        level: 'privileged',
        version: 'v1.28',
        severity: { runAsNonRoot: 'error', yaml: 'hint' },
      },
      editorFolder: '/ws',
    });
    assert.equal(e.level.value, 'baseline');
    assert.equal(e.version.value, 'v1.28');
    assert.deepEqual(e.version.origin, { kind: 'editor', setting: 'podsec.version' });
    // each severity entry on its own
    assert.equal(e.severity.runAsNonRoot?.value, 'off');
    assert.equal(e.severity.runAsNonRoot?.origin.kind, 'file');
    assert.equal(e.severity.yaml?.value, 'hint');
    assert.equal(e.severity.yaml?.origin.kind, 'editor');
  });

  it('the file origin names the file and the key span (for the status bar and hover)', () => {
    const e = effectiveSettings({ file });
    const o = e.level.origin;
    assert.equal(o.kind, 'file');
    if (o.kind !== 'file') return;
    assert.equal(o.file, '/ws/.podsec.yaml');
    assert.equal(text.slice(o.keySpan.start, o.keySpan.end), 'level');
    assert.equal(text.slice(o.valueSpan.start, o.valueSpan.end), 'baseline');
    assert.equal(originPhrase(o), 'level in /ws/.podsec.yaml');
  });

  it('an invalid value in the file leaves the setting to the editor or the default', () => {
    const bad = parseProjectConfig('level: strict\n', '/ws/.podsec.yaml');
    assert.equal(effectiveSettings({ file: bad }).level.value, 'restricted');
    assert.equal(
      effectiveSettings({ file: bad, editor: { level: 'baseline' } }).level.value,
      'baseline',
    );
  });

  it('exclude: relative to the file that set it', () => {
    const e = effectiveSettings({ file });
    assert.equal(e.exclude.base, '/ws');
    assert.equal(isExcluded(e, '/ws/charts/app/templates/d.yaml'), true);
    assert.equal(isExcluded(e, '/ws/apps/d.yaml'), false);
    assert.equal(isExcluded(e, '/other/charts/d.yaml'), false);
  });

  it('exclude: editor patterns are relative to the workspace folder', () => {
    const e = effectiveSettings({ editor: { exclude: ['gen/**'] }, editorFolder: '/ws' });
    assert.equal(isExcluded(e, '/ws/gen/a.yaml'), true);
    assert.equal(isExcluded(e, '/ws/src/a.yaml'), false);
    assert.equal(matchesExclude(['**/gen/**'], null, '/x/gen/a.yaml'), true);
    assert.equal(matchesExclude([], '/ws', '/ws/a.yaml'), false);
  });

  it('no file, no options: the defaults', () => {
    const e = effectiveSettings({});
    assert.deepEqual(
      [
        e.level.value,
        e.version.value,
        e.namespaceLabels.value,
        e.failOnSkipped.value,
        e.admissionConfiguration.value,
      ],
      ['restricted', 'latest', true, false, null],
    );
    assert.equal(e.config, null);
  });
});
