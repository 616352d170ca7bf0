/**
 * The per-check documentation pages the extension ships (docs/checks/), written by
 * scripts/check-docs.mjs from the check registry: one per Pod Security and hardening check,
 * each example evaluated by the engine (the failing one fails that check, the passing one does
 * not: the script refuses to write otherwise), and the pages on disk as the script writes them.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CHECK_IDS, HARDENING_CHECK_IDS } from '@podsec/server';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCS = path.join(ROOT, 'docs', 'checks');

interface CheckDocsModule {
  checkDocs(): Map<string, string>;
  staleDocs(dir?: string): string[];
}

async function load(): Promise<CheckDocsModule> {
  const href = pathToFileURL(path.join(ROOT, 'scripts', 'check-docs.mjs')).href;
  return (await import(href)) as CheckDocsModule;
}

describe('check documentation pages', () => {
  it('one page per check, and an index linking each', async () => {
    const pages = (await load()).checkDocs();
    const ids = [...CHECK_IDS, ...HARDENING_CHECK_IDS];
    assert.deepEqual(
      [...pages.keys()].sort(),
      ['README.md', ...ids.map((id) => `${id}.md`)].sort(),
    );
    const index = pages.get('README.md')!;
    for (const id of ids) assert.ok(index.includes(`[${id}](${id}.md)`), id);
  });

  it('each page has the rule, a failing and a passing example, what podsec reports and the fix', async () => {
    const pages = (await load()).checkDocs();
    for (const id of [...CHECK_IDS, ...HARDENING_CHECK_IDS]) {
      const page = pages.get(`${id}.md`)!;
      assert.ok(page.startsWith(`# ${id}: `), id);
      for (const heading of ['## Rule', '## Example', '## Fix', '## Silence it'])
        assert.ok(page.includes(`\n${heading}\n`), `${id}: ${heading}`);
      assert.equal(page.split('```yaml\n').length - 1, 2, `${id}: a failing and a passing example`);
      assert.match(
        page,
        /\npodsec reports:\n\n- `[^`]+: [^`]+` \(the editor and the text output\)\n/,
      );
      assert.ok(page.includes(`podsec-ignore ${id} -- <reason>`), id);
    }
    for (const id of CHECK_IDS) {
      const page = pages.get(`${id}.md`)!;
      assert.match(page, /\n## Versions and variants\n/, id);
      assert.match(page, /\| `[a-zA-Z]+_1_\d+`.* \| v1\.\d+ \|/, id);
    }
  });

  it('the pages on disk are the ones the script writes (run node scripts/check-docs.mjs)', async () => {
    assert.deepEqual((await load()).staleDocs(DOCS), []);
    assert.ok(readdirSync(DOCS).length > CHECK_IDS.length);
  });
});
