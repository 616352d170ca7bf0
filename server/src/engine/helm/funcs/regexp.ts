/** Go's RE2 syntax, translated to an equivalent JavaScript RegExp (named groups, flags, POSIX classes, \z). */
import { FuncError } from '../template/exec';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

export function goRegExp(re: string, flags = ''): RegExp {
  const key = `${flags}/${re}`;
  const hit = cache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let src = re;
  let f = flags;
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const c of lead[1] ?? '') if (c !== 'U' && !f.includes(c)) f += c;
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = Object.prototype.hasOwnProperty.call(POSIX, name) ? POSIX[name] : undefined;
      if (!cls) return m;
      return neg ? `^${cls}` : cls;
    })
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^(?<![\\s\\S])');
  let rx: RegExp;
  try {
    rx = new RegExp(src, `${f}u`.replace(/(.)(?=.*\1)/g, ''));
  } catch {
    try {
      rx = new RegExp(src, f);
    } catch (e) {
      throw new FuncError(
        `error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`,
      );
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, rx);
  return rx;
}
