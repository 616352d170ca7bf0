/**
 * Kubernetes label selectors as `patches[].target.labelSelector` and
 * `annotationSelector` take them: `app=web`, `tier!=db`, `env in (a,b)`,
 * `env notin (c)`, `canary`, `!canary`, `replicas>1`, joined by commas.
 */

type Op = 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export class SelectorSyntaxError extends Error {}

const SPECIAL = /[\s=!(),<>]/;

function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '=' && s[i + 1] === '=') {
      out.push('==');
      i += 2;
    } else if (c === '!' && s[i + 1] === '=') {
      out.push('!=');
      i += 2;
    } else if ('=!(),<>'.includes(c)) {
      out.push(c);
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.test(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
  }
  return out;
}

const isIdent = (t: string | undefined): t is string =>
  t !== undefined && !/^(==|!=|[=!(),<>])$/.test(t);

export function parseSelector(s: string): Requirement[] {
  const toks = tokenize(s);
  const reqs: Requirement[] = [];
  let i = 0;
  const expectIdent = (what: string): string => {
    const t = toks[i];
    if (!isIdent(t))
      throw new SelectorSyntaxError(
        `unable to parse requirement: found '${t ?? ''}', expected: ${what}`,
      );
    i++;
    return t;
  };
  while (i < toks.length) {
    if (toks[i] === '!') {
      i++;
      reqs.push({ key: expectIdent('identifier'), op: '!', values: [] });
    } else {
      const key = expectIdent('identifier');
      const t = toks[i];
      if (t === undefined || t === ',') reqs.push({ key, op: 'exists', values: [] });
      else if (t === '=' || t === '==' || t === '!=') {
        i++;
        const v = isIdent(toks[i]) ? (toks[i++] as string) : '';
        reqs.push({ key, op: t === '!=' ? 'notin' : 'in', values: [v] });
      } else if (t === '>' || t === '<') {
        i++;
        const v = expectIdent('integer');
        if (!/^-?[0-9]+$/.test(v))
          throw new SelectorSyntaxError(
            `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        reqs.push({ key, op: t === '>' ? 'gt' : 'lt', values: [v] });
      } else if (t === 'in' || t === 'notin') {
        i++;
        if (toks[i] !== '(')
          throw new SelectorSyntaxError(
            `unable to parse requirement: found '${toks[i] ?? ''}', expected: '('`,
          );
        i++;
        const values: string[] = [];
        while (toks[i] !== ')') {
          if (toks[i] === undefined)
            throw new SelectorSyntaxError("unable to parse requirement: found '', expected: ')'");
          if (toks[i] === ',') {
            i++;
            continue;
          }
          values.push(expectIdent('value'));
        }
        i++;
        reqs.push({ key, op: t, values });
      } else
        throw new SelectorSyntaxError(
          `unable to parse requirement: found '${t}', expected: in, notin, =, ==, !=, gt, lt`,
        );
    }
    if (i < toks.length) {
      if (toks[i] !== ',')
        throw new SelectorSyntaxError(`found '${toks[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

/** Whether `labels` satisfy the selector `s` (the empty selector matches everything). */
export function matchesSelector(s: string, labels: ReadonlyMap<string, string>): boolean {
  for (const r of parseSelector(s)) {
    const v = labels.get(r.key);
    switch (r.op) {
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case '!':
        if (v !== undefined) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?[0-9]+$/.test(v)) return false;
        const a = BigInt(v);
        const b = BigInt(r.values[0] as string);
        if (r.op === 'gt' ? !(a > b) : !(a < b)) return false;
      }
    }
  }
  return true;
}
