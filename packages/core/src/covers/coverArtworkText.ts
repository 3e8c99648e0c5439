/**
 * Text for the SVG cover artwork: XML escaping, characters XML cannot hold, and line wrapping by an estimated
 * width (SVG 1.1 has no text wrapping of its own, and the server cannot measure the reader's fonts).
 */

/**
 * Characters XML 1.0 cannot hold even escaped (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) and
 * lone surrogates: any of them would make the whole SVG fail to render.
 */
const forbiddenInXml =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching those control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const escapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `text` safe inside an XML element or a quoted attribute: markup characters escaped, forbidden ones dropped. */
export function escapeXml(text: string): string {
  return text.replace(forbiddenInXml, '').replace(/[&<>"']/g, (character) => escapes[character] ?? '');
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The user-perceived characters of `text` (an emoji with modifiers, a letter with its accents: one each), with
 * characters XML cannot hold dropped and every run of whitespace made one space.
 */
export function titleGraphemes(text: string): string[] {
  const cleaned = text.replace(forbiddenInXml, '').replace(/\s+/g, ' ');
  return Array.from(segmenter.segment(cleaned), (segment) => segment.segment);
}

/** Scripts set one character per em and broken anywhere: CJK, kana, Hangul, full-width forms, emoji. */
const wide =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF00-\uFFEF\p{Extended_Pictographic}]/u;

/** Estimated advance of one grapheme in ems, on the generous side for a semi-bold sans-serif. */
function graphemeWidth(grapheme: string): number {
  if (wide.test(grapheme)) return 1;
  if (grapheme === ' ') return 0.32;
  if (/^[iljIft.,:;'!|()[\]]$/.test(grapheme)) return 0.36;
  if (/^[MWmw@%]$/.test(grapheme)) return 0.95;
  if (/^\p{Lu}$/u.test(grapheme)) return 0.75;
  return 0.65;
}

/** Estimated width of `text` in ems. */
export function textWidth(text: string): number {
  return titleGraphemes(text).reduce((sum, grapheme) => sum + graphemeWidth(grapheme), 0);
}

/**
 * Breaks `title` into lines no wider than `maxEms`: between words, anywhere in CJK text, and inside a word only
 * when the word alone is too wide. Past `maxLines`, the last line is cut short and ends with `…`.
 */
export function wrapTitle(title: string, maxEms: number, maxLines: number): string[] {
  const tokens = tokenize(titleGraphemes(title.trim()));
  const lines: string[][] = [];
  let line: string[] = [];
  let lineWidth = 0;
  const breakLine = () => {
    while (line.at(-1) === ' ') line.pop();
    lines.push(line);
    line = [];
    lineWidth = 0;
  };
  for (const token of tokens) {
    const width = token.reduce((sum, grapheme) => sum + graphemeWidth(grapheme), 0);
    if (lineWidth + width <= maxEms) {
      if (!(line.length === 0 && token[0] === ' ')) line.push(...token);
      lineWidth += line.length === 0 ? 0 : width;
      continue;
    }
    if (token[0] === ' ') {
      breakLine();
      continue;
    }
    if (line.length > 0 && width <= maxEms) breakLine();
    for (const grapheme of token) {
      const graphemeEms = graphemeWidth(grapheme);
      if (lineWidth + graphemeEms > maxEms && line.length > 0) breakLine();
      line.push(grapheme);
      lineWidth += graphemeEms;
    }
  }
  if (line.length > 0) breakLine();
  if (lines.length <= maxLines) return lines.map((graphemes) => graphemes.join(''));
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1] ?? [];
  const ellipsis = graphemeWidth('…');
  let width = last.reduce((sum, grapheme) => sum + graphemeWidth(grapheme), 0);
  while (last.length > 0 && (width + ellipsis > maxEms || last.at(-1) === ' ')) {
    width -= graphemeWidth(last.pop() ?? '');
  }
  last.push('…');
  return kept.map((graphemes) => graphemes.join(''));
}

/** Words (with what sticks to them), single spaces, and single wide characters, in order. */
function tokenize(graphemes: readonly string[]): string[][] {
  const tokens: string[][] = [];
  let word: string[] = [];
  const flush = () => {
    if (word.length > 0) tokens.push(word);
    word = [];
  };
  for (const grapheme of graphemes) {
    if (grapheme === ' ' || wide.test(grapheme)) {
      flush();
      tokens.push([grapheme]);
    } else {
      word.push(grapheme);
    }
  }
  flush();
  return tokens;
}
