// Tokenizes YAML the way VS Code does: vscode-textmate with the Oniguruma
// engine, a YAML base grammar (from the tm-grammars package, the grammar
// VS Code ships) and the project's injection grammar injected into it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const injectionPath = join(root, 'syntaxes', 'podsec.injection.tmLanguage.json');
export const injection = JSON.parse(readFileSync(injectionPath, 'utf8'));

const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
const onigLib = oniguruma
  .loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength))
  .then(() => ({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }));

const grammarFiles = {
  'source.yaml': require.resolve('tm-grammars/grammars/yaml.json'),
  'podsec.injection': injectionPath,
};

/** @param {{ inject?: boolean }} [options] */
export async function loadYaml(options = {}) {
  const inject = options.inject ?? true;
  const registry = new textmate.Registry({
    onigLib,
    loadGrammar: (scopeName) => {
      const file = grammarFiles[scopeName];
      if (!file) return null;
      return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
    },
    getInjections: (scopeName) =>
      inject && scopeName === 'source.yaml' ? ['podsec.injection'] : [],
  });
  const grammar = await registry.loadGrammar('source.yaml');
  if (!grammar) throw new Error('the YAML grammar did not load');
  return grammar;
}

/**
 * Tokens of a text, line by line: `{ line, text, scopes }` with the scope
 * stack of each token.
 */
export function tokenize(grammar, text) {
  let state = textmate.INITIAL;
  const out = [];
  text.split('\n').forEach((lineText, line) => {
    const r = grammar.tokenizeLine(lineText, state);
    for (const t of r.tokens) {
      out.push({
        line,
        start: t.startIndex,
        text: lineText.slice(t.startIndex, t.endIndex),
        scopes: t.scopes,
      });
    }
    state = r.ruleStack;
  });
  return out;
}

/**
 * The scopes that cover every character of `needle` (its `nth` occurrence on
 * line `line`): the intersection of the scope stacks of the tokens it spans.
 * Throws when the needle is not on that line.
 */
export function scopesAt(tokens, line, needle, nth = 0) {
  const lineTokens = tokens.filter((t) => t.line === line);
  const lineText = lineTokens.map((t) => t.text).join('');
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = lineText.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${nth}) is not on line ${line}: ${lineText}`);
  }
  const end = at + needle.length;
  const spanned = lineTokens.filter((t) => t.start < end && t.start + t.text.length > at);
  let common = new Set(spanned[0].scopes);
  for (const t of spanned.slice(1)) common = new Set(t.scopes.filter((s) => common.has(s)));
  return [...common];
}

/** True when some scope in the list starts with `prefix` (scope names are dotted). */
export function has(scopes, prefix) {
  return scopes.some(
    (s) => s === prefix || s.startsWith(prefix + '.') || s.split(' ').includes(prefix),
  );
}
