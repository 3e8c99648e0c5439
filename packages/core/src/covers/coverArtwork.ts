/**
 * Offline cover artwork drawn as SVG: a three-colour gradient, a faint pattern, a soft disc holding the title's
 * first letter, and the title itself. SVG is text, so no image encoder, compressor or font of our own is needed:
 * the browser draws the gradient and sets the text in its own fonts, crisp at any size. Deterministic: the same
 * title and size give the same bytes.
 */
import { escapeXml, titleGraphemes, wrapTitle } from './coverArtworkText.js';

/** What offline cover artwork is drawn from. */
export interface CoverArtworkOptions {
  /** Seeds the colours and pattern; its first letter or digit is drawn large, and it is written on the cover. */
  title: string;
  /** Width in pixels (the SVG's `width` and its `viewBox`). */
  width: number;
  /** Height in pixels (the SVG's `height` and its `viewBox`). */
  height: number;
}

type Colour = readonly [number, number, number];

const patternKinds = ['dots', 'stripes', 'rings', 'waves', 'crosses'] as const;

/** The pattern laid over the gradient, chosen by the title's hash. */
export type CoverPattern = (typeof patternKinds)[number];

/** The choices the title's hash made, exposed so tests and callers can describe the artwork. */
export interface CoverArtworkDesign {
  /** Gradient colours (RGB, 0–255), from its start to its end. */
  colours: readonly [Colour, Colour, Colour];
  /** Direction of the gradient, in radians. */
  angle: number;
  pattern: CoverPattern;
  /** Spacing of the pattern as a share of the cover's shorter side. */
  spacing: number;
  /** The character drawn large, or `undefined` when the title has no letter, digit or emoji (a diamond is drawn). */
  character: string | undefined;
}

/** Font stack of the text: the reader's own system fonts (an SVG shown in `<img>` loads no web font). */
const fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif";

/** Decides colours, gradient direction, pattern and letter from `title` alone (the same title, the same design). */
export function designCover(title: string): CoverArtworkDesign {
  const random = seededRandom(hashText(title));
  const hue = random() * 360;
  const step = (20 + random() * 30) * (random() < 0.5 ? -1 : 1);
  const saturation = 0.6 + random() * 0.15;
  const colours = [
    hslToRgb(avoidOlive(hue), saturation, 0.52 + random() * 0.06),
    hslToRgb(avoidOlive(hue + step), saturation + 0.05, 0.42 + random() * 0.06),
    hslToRgb(avoidOlive(hue + step * 2), saturation + 0.05, 0.3 + random() * 0.05),
  ] as const;
  const angle = random() * Math.PI * 2;
  const pattern = patternKinds[Math.floor(random() * patternKinds.length)] ?? 'dots';
  const spacing = 0.06 + random() * 0.04;
  return { colours, angle, pattern, spacing, character: leadingCharacter(title) };
}

/**
 * The first letter, digit or emoji of `title`, upper-cased when that stays one character (`rust` → `R`, `日本語` →
 * `日`, `🦀 Rust` → `🦀`); `undefined` when it has none.
 */
export function leadingCharacter(title: string): string | undefined {
  for (const grapheme of titleGraphemes(title)) {
    if (!/[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(grapheme)) continue;
    const upper = grapheme.toUpperCase();
    return titleGraphemes(upper).length === 1 ? upper : grapheme;
  }
  return undefined;
}

/**
 * Draws cover artwork for `title` as an SVG document with `width`, `height` and a matching `viewBox`, so it shows at
 * its size in `<img>` and scales without blur. Pure: no script, no external reference, presentation attributes only
 * (no `style`), every piece of the title escaped for XML.
 */
export function renderCoverArtwork(options: CoverArtworkOptions): string {
  const { width, height } = options;
  const design = designCover(options.title);
  const unit = Math.min(width, height);
  const landscape = width >= height * 1.3;
  const padding = unit * 0.1;
  const radius = landscape ? height * 0.3 : unit * 0.22;
  const centreX = landscape ? padding + radius : width / 2;
  const centreY = landscape ? height / 2 : padding + radius;
  const textBox = landscape
    ? { left: centreX + radius + padding, right: width - padding, top: padding, bottom: height - padding }
    : { left: padding, right: width - padding, top: centreY + radius + padding * 0.8, bottom: height - padding };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(titleGraphemes(options.title.trim()).slice(0, 300).join(''))}</title>`,
    '<defs>',
    gradientDefinition(design),
    '<radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75">',
    '<stop offset="0.45" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/>',
    '</radialGradient>',
    patternDefinition(design, unit, width, height),
    '</defs>',
    `<rect width="${width}" height="${height}" fill="url(#gradient)"/>`,
    `<rect width="${width}" height="${height}" fill="url(#pattern)"/>`,
    `<rect width="${width}" height="${height}" fill="url(#vignette)"/>`,
    `<circle cx="${number(centreX)}" cy="${number(centreY)}" r="${number(radius)}" fill="#fff" fill-opacity="0.12"/>`,
    `<circle cx="${number(centreX)}" cy="${number(centreY)}" r="${number(radius * 1.12)}" fill="none" stroke="#fff" stroke-opacity="0.22" stroke-width="${number(unit * 0.006)}"/>`,
    monogram(design.character, centreX, centreY, radius),
    titleText(options.title, textBox, unit, landscape ? 'start' : 'middle'),
    '</svg>',
  ];
  return `${parts.filter((part) => part !== '').join('\n')}\n`;
}

function gradientDefinition(design: CoverArtworkDesign): string {
  const directionX = Math.cos(design.angle) / 2;
  const directionY = Math.sin(design.angle) / 2;
  const [first, second, third] = design.colours;
  return [
    `<linearGradient id="gradient" x1="${number(0.5 - directionX, 3)}" y1="${number(0.5 - directionY, 3)}" x2="${number(0.5 + directionX, 3)}" y2="${number(0.5 + directionY, 3)}">`,
    `<stop offset="0" stop-color="${hex(first)}"/>`,
    `<stop offset="0.5" stop-color="${hex(second)}"/>`,
    `<stop offset="1" stop-color="${hex(third)}"/>`,
    '</linearGradient>',
  ].join('');
}

/** The faint white pattern over the gradient, as an SVG `<pattern>` tile (rings: concentric circles off-canvas). */
function patternDefinition(design: CoverArtworkDesign, unit: number, width: number, height: number): string {
  const spacing = unit * design.spacing;
  const size = number(spacing);
  const middle = number(spacing / 2);
  const tile = (content: string, attributes = '') =>
    `<pattern id="pattern" patternUnits="userSpaceOnUse" width="${size}" height="${size}"${attributes}>${content}</pattern>`;
  switch (design.pattern) {
    case 'dots':
      return tile(
        `<circle cx="${middle}" cy="${middle}" r="${number(spacing * 0.09)}" fill="#fff" fill-opacity="0.16"/>`,
      );
    case 'crosses': {
      const arm = spacing * 0.32;
      const thickness = spacing * 0.07;
      const from = number(spacing / 2 - arm / 2);
      const across = number(spacing / 2 - thickness / 2);
      return tile(
        `<g fill="#fff" fill-opacity="0.18"><rect x="${from}" y="${across}" width="${number(arm)}" height="${number(thickness)}"/>` +
          `<rect x="${across}" y="${from}" width="${number(thickness)}" height="${number(arm)}"/></g>`,
      );
    }
    case 'stripes':
      return tile(
        `<rect width="${number(spacing * 0.44)}" height="${size}" fill="#fff" fill-opacity="0.07"/>`,
        ` patternTransform="rotate(${design.angle < Math.PI ? 45 : -45})"`,
      );
    case 'waves': {
      // One period of a sine drawn with two quadratic curves; the tile repeats it across and down.
      const period = unit / 1.5;
      const amplitude = spacing * 0.35;
      return (
        `<pattern id="pattern" patternUnits="userSpaceOnUse" width="${number(period)}" height="${size}">` +
        `<path d="M0 ${middle}Q${number(period / 4)} ${number(spacing / 2 - amplitude * 2)} ${number(period / 2)} ${middle}T${number(period)} ${middle}" fill="none" stroke="#fff" stroke-opacity="0.16" stroke-width="${number(spacing * 0.1)}"/>` +
        '</pattern>'
      );
    }
    case 'rings': {
      const originX = design.angle < Math.PI ? -0.1 * width : 1.1 * width;
      const originY = height * ((design.angle / (Math.PI * 2)) % 1);
      const reach = Math.hypot(width * 1.2, height);
      const circles: string[] = [];
      for (let radius = spacing; radius < reach; radius += spacing) {
        circles.push(`<circle cx="${number(originX)}" cy="${number(originY)}" r="${number(radius)}"/>`);
      }
      // A pattern as large as the cover, so `url(#pattern)` works the same for every kind.
      return (
        `<pattern id="pattern" patternUnits="userSpaceOnUse" width="${width}" height="${height}">` +
        `<g fill="none" stroke="#fff" stroke-opacity="0.14" stroke-width="${number(spacing * 0.12)}">${circles.join('')}</g>` +
        '</pattern>'
      );
    }
  }
}

/** The large character in the disc with a soft shadow, or a diamond when the title has none. */
function monogram(character: string | undefined, centreX: number, centreY: number, radius: number): string {
  if (character === undefined) {
    const half = radius * 0.45;
    const points = (offset: number) =>
      [
        [centreX + offset, centreY - half + offset],
        [centreX + half + offset, centreY + offset],
        [centreX + offset, centreY + half + offset],
        [centreX - half + offset, centreY + offset],
      ]
        .map(([x, y]) => `${number(x as number)},${number(y as number)}`)
        .join(' ');
    return (
      `<polygon points="${points(radius * 0.04)}" fill="#000" fill-opacity="0.25"/>` +
      `<polygon points="${points(0)}" fill="#fff" fill-opacity="0.96"/>`
    );
  }
  const size = number(radius * 1.1);
  const glyph = escapeXml(character);
  const text = (x: number, y: number, fill: string, opacity: number) =>
    `<text x="${number(x)}" y="${number(y)}" font-family="${fontFamily}" font-size="${size}" font-weight="700" text-anchor="middle" dominant-baseline="central" fill="${fill}" fill-opacity="${opacity}">${glyph}</text>`;
  return text(centreX + radius * 0.03, centreY + radius * 0.05, '#000', 0.25) + text(centreX, centreY, '#fff', 0.96);
}

interface TextBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The title, wrapped to the box in at most three lines (shrinking the font once or twice before cutting it short
 * with an ellipsis), vertically centred. Nothing when the cover is too small for legible text.
 */
function titleText(title: string, box: TextBox, unit: number, anchor: 'start' | 'middle'): string {
  const boxWidth = box.right - box.left;
  const boxHeight = box.bottom - box.top;
  const largest = Math.min(unit * 0.11, boxHeight / (3 * 1.2));
  if (boxWidth <= 0 || largest < 9) return '';
  let fontSize = largest;
  let lines: string[] = [];
  for (const share of [1, 0.82, 0.68]) {
    fontSize = Math.max(9, largest * share);
    lines = wrapTitle(title, boxWidth / fontSize, Number.POSITIVE_INFINITY);
    if (lines.length <= 3) break;
  }
  if (lines.length > 3) lines = wrapTitle(title, boxWidth / fontSize, 3);
  if (lines.length === 0) return '';
  const lineHeight = fontSize * 1.2;
  const firstBaseline = box.top + (boxHeight - lineHeight * lines.length) / 2 + fontSize * 0.9;
  const x = anchor === 'start' ? box.left : (box.left + box.right) / 2;
  const lineElements = lines
    .map(
      (line, index) =>
        `<text x="${number(x)}" y="${number(firstBaseline + index * lineHeight)}">${escapeXml(line)}</text>`,
    )
    .join('');
  return (
    `<g font-family="${fontFamily}" font-size="${number(fontSize)}" font-weight="600" text-anchor="${anchor}" fill="#fff">` +
    `<g fill="#000" fill-opacity="0.25" transform="translate(${number(fontSize * 0.04)} ${number(fontSize * 0.06)})">${lineElements}</g>` +
    `<g fill-opacity="0.96">${lineElements}</g>` +
    '</g>'
  );
}

/** A number for an attribute: at most `digits` decimals, no trailing zeros, so output is short and stable. */
function number(value: number, digits = 2): string {
  const fixed = value.toFixed(digits);
  const trimmed = fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

function hex(colour: Colour): string {
  return `#${colour
    .map((channel) =>
      Math.max(0, Math.min(255, Math.round(channel)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Moves hues of the yellow–olive band (which turn muddy when darkened) to orange or green. */
function avoidOlive(hue: number): number {
  const normalized = ((hue % 360) + 360) % 360;
  if (normalized <= 40 || normalized >= 85) return normalized;
  return normalized < 62 ? 40 : 85 + (normalized - 62);
}

function hslToRgb(hue: number, saturation: number, lightness: number): Colour {
  const amount = Math.min(1, saturation) * Math.min(lightness, 1 - lightness);
  const channel = (shift: number) => {
    const position = (shift + hue / 30) % 12;
    const k = position < 0 ? position + 12 : position;
    return (lightness - amount * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255;
  };
  return [channel(0), channel(8), channel(4)];
}

/** FNV-1a over the UTF-16 code units of `text`. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mulberry32: a small, fast PRNG, good enough to pick colours. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
