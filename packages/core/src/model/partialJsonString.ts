/**
 * Reads the value of one top-level string field out of JSON text as it streams in, piece by piece, without parsing
 * the whole text again for each piece (O(n) over the stream): `push(piece)` returns the characters of the field's
 * decoded value that the piece completed (escapes resolved, `\u` surrogate pairs joined even when split across
 * pieces). Only a field of the top-level object is read; the same name in a nested object is skipped.
 *
 * @example
 * const content = new PartialJsonString('content');
 * content.push('{"title":"Rust","content":"# Own'); // '# Own'
 * content.push('ership\\n'); // 'ership\n'
 */
export class PartialJsonString {
  /** Characters of the text not consumed yet (an escape or a key cut by the end of a piece). */
  private pending = '';
  /** Nesting depth of objects and arrays outside strings. */
  private depth = 0;
  private state: 'scan' | 'string' | 'value' | 'done' = 'scan';
  /** The string being read outside the field (a key or another value), to recognise the field's key. */
  private scanned = '';
  private inOtherString = false;
  private lastKey: string | undefined;
  private expectValue = false;
  /** A high surrogate waiting for its low half. */
  private highSurrogate = '';

  constructor(private readonly field: string) {}

  /** Feeds the next piece of JSON text; returns what it added to the field's decoded value ('' when nothing). */
  push(piece: string): string {
    let text = this.pending + piece;
    this.pending = '';
    let out = '';
    let index = 0;
    while (index < text.length && this.state !== 'done') {
      const char = text[index] as string;
      if (this.state === 'value') {
        if (char === '\\') {
          if (index + 1 >= text.length) break;
          const next = text[index + 1] as string;
          if (next === 'u') {
            if (index + 6 > text.length) break;
            const code = Number.parseInt(text.slice(index + 2, index + 6), 16);
            const decoded = String.fromCharCode(code);
            if (code >= 0xd800 && code <= 0xdbff) this.highSurrogate = decoded;
            else {
              out += this.highSurrogate + decoded;
              this.highSurrogate = '';
            }
            index += 6;
            continue;
          }
          out += escapes[next] ?? next;
          index += 2;
          continue;
        }
        if (char === '"') {
          this.state = 'done';
          index += 1;
          continue;
        }
        out += char;
        index += 1;
        continue;
      }
      if (this.inOtherString) {
        if (char === '\\') {
          if (index + 1 >= text.length) break;
          this.scanned += text[index + 1];
          index += 2;
          continue;
        }
        if (char === '"') {
          this.inOtherString = false;
          this.lastKey = this.scanned;
        } else this.scanned += char;
        index += 1;
        continue;
      }
      if (char === '"') {
        if (this.expectValue && this.depth === 1 && this.lastKey === this.field) {
          this.state = 'value';
        } else {
          this.inOtherString = true;
          this.scanned = '';
        }
        this.expectValue = false;
      } else if (char === ':') {
        this.expectValue = true;
      } else if (char === '{' || char === '[') {
        this.depth += 1;
        this.expectValue = false;
      } else if (char === '}' || char === ']') {
        this.depth -= 1;
      } else if (char === ',') {
        this.expectValue = false;
        this.lastKey = undefined;
      } else if (!/\s/.test(char)) {
        this.expectValue = false;
      }
      index += 1;
    }
    if (index < text.length && this.state !== 'done') this.pending = text.slice(index);
    text = '';
    return out;
  }
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
