/**
 * Text that knows where each run of it came from: rendered template output
 * is built from pieces (literal template text, a values node, a computed
 * expression) and string functions (indent, trim, replace) keep the pieces.
 */
import type { Origin, Segment } from '../sources/sourcemap';

export interface Part {
  text: string;
  origin?: Origin | undefined;
}

function sliceOrigin(o: Origin | undefined, from: number, to: number): Origin | undefined {
  if (!o) return undefined;
  if (o.kind === 'text') {
    const start = Math.min(o.end, o.start + from);
    return { ...o, start, end: Math.min(o.end, o.start + to) };
  }
  return o;
}

export class SegText {
  readonly parts: Part[] = [];
  private joined: string | undefined;
  private len = 0;

  static of(text: string, origin?: Origin): SegText {
    const s = new SegText();
    s.push(text, origin);
    return s;
  }

  get length(): number {
    return this.len;
  }

  get text(): string {
    if (this.joined === undefined) {
      this.joined =
        this.parts.length === 1
          ? (this.parts[0]?.text ?? '')
          : this.parts.map((p) => p.text).join('');
    }
    return this.joined;
  }

  /** Whether any part has an origin worth keeping. */
  get tracked(): boolean {
    return this.parts.some((p) => p.origin !== undefined);
  }

  push(text: string, origin?: Origin): void {
    if (text === '') return;
    const last = this.parts[this.parts.length - 1];
    if (last && last.origin === origin && (!origin || origin.kind !== 'text')) last.text += text;
    else if (
      last &&
      origin &&
      last.origin &&
      origin.kind === 'text' &&
      last.origin.kind === 'text' &&
      last.origin.file === origin.file &&
      last.origin.end === origin.start
    ) {
      last.text += text;
      last.origin = { ...last.origin, end: origin.end };
    } else this.parts.push({ text, origin });
    this.len += text.length;
    this.joined = undefined;
  }

  append(s: SegText): void {
    for (const p of s.parts) this.push(p.text, p.origin);
  }

  slice(start: number, end = this.len): SegText {
    const out = new SegText();
    if (start < 0) start = 0;
    if (end > this.len) end = this.len;
    let pos = 0;
    for (const p of this.parts) {
      const pEnd = pos + p.text.length;
      if (pEnd > start && pos < end) {
        const a = Math.max(start, pos) - pos;
        const b = Math.min(end, pEnd) - pos;
        out.push(p.text.slice(a, b), sliceOrigin(p.origin, a, b));
      }
      pos = pEnd;
      if (pos >= end) break;
    }
    return out;
  }

  /** Replace every occurrence of `from` in the text by `to` (no origin). */
  replaceAll(from: string, to: string): SegText {
    const t = this.text;
    if (!from || !t.includes(from)) return this;
    const out = new SegText();
    let i = 0;
    for (;;) {
      const j = t.indexOf(from, i);
      if (j < 0) break;
      out.append(this.slice(i, j));
      out.push(to);
      i = j + from.length;
    }
    out.append(this.slice(i));
    return out;
  }

  /** Insert `pad` at the start and after every newline (Sprig's indent). */
  indent(pad: string): SegText {
    const out = new SegText();
    out.push(pad);
    for (const p of this.parts) {
      let i = 0;
      for (;;) {
        const j = p.text.indexOf('\n', i);
        if (j < 0) break;
        out.push(p.text.slice(i, j + 1), sliceOrigin(p.origin, i, j + 1));
        out.push(pad);
        i = j + 1;
      }
      if (i < p.text.length) out.push(p.text.slice(i), sliceOrigin(p.origin, i, p.text.length));
    }
    return out;
  }

  trimLeft(chars: (c: string) => boolean): SegText {
    const t = this.text;
    let i = 0;
    while (i < t.length && chars(t[i] ?? '')) i++;
    return i === 0 ? this : this.slice(i);
  }

  trimRight(chars: (c: string) => boolean): SegText {
    const t = this.text;
    let j = t.length;
    while (j > 0 && chars(t[j - 1] ?? '')) j--;
    return j === t.length ? this : this.slice(0, j);
  }

  /** Segments over the text, sorted and not overlapping. */
  segments(offset = 0): Segment[] {
    const out: Segment[] = [];
    let pos = offset;
    for (const p of this.parts) {
      if (p.origin) out.push({ start: pos, end: pos + p.text.length, origin: p.origin });
      pos += p.text.length;
    }
    return out;
  }
}

export const isSpace = (c: string): boolean =>
  c === ' ' ||
  c === '\t' ||
  c === '\n' ||
  c === '\r' ||
  c === '\v' ||
  c === '\f' ||
  c === '\u0085' ||
  c === '\u00a0';
