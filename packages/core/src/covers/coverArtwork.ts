import { glyphCells, glyphCharacter, glyphHeight, glyphWidth } from './bitmapFont.js';
import type { PngImage } from './png.js';

/** What offline cover artwork is drawn from. */
export interface CoverArtworkOptions {
  /** Seeds the colours and pattern; its first letter or digit is drawn large. */
  title: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

type Colour = readonly [number, number, number];

const patternKinds = ['dots', 'stripes', 'rings', 'waves', 'crosses'] as const;

/** The pattern laid over the gradient, chosen by the title's hash. */
export type CoverPattern = (typeof patternKinds)[number];

/** The choices the title's hash made, exposed so tests and callers can describe the artwork. */
export interface CoverArtworkDesign {
  colours: readonly [Colour, Colour, Colour];
  /** Direction of the gradient, in radians. */
  angle: number;
  pattern: CoverPattern;
  /** The character drawn large, or `undefined` when the title has none the font knows (a diamond is drawn). */
  character: string | undefined;
}

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
  return { colours, angle, pattern, character: glyphCharacter(title) };
}

/**
 * Draws cover artwork for `title` as RGB pixels: a three-colour gradient, a faint pattern, a soft disc and the
 * title's first letter in large rounded tiles from a 5×7 bitmap font. Pure and deterministic.
 */
export function renderCoverArtwork(options: CoverArtworkOptions): PngImage {
  const { width, height } = options;
  const design = designCover(options.title);
  const pixels = new Float32Array(width * height * 3);
  paintGradient(pixels, width, height, design);
  paintPattern(pixels, width, height, design.pattern, seededRandom(hashText(`${options.title}\u0000pattern`)));
  const unit = Math.min(width, height);
  const centreX = width / 2;
  const centreY = height / 2;
  paintDisc(pixels, width, height, centreX, centreY, unit * 0.4, [255, 255, 255], 0.12);
  paintRing(pixels, width, height, centreX, centreY, unit * 0.46, unit * 0.006, [255, 255, 255], 0.22);
  paintGlyph(pixels, width, height, design.character, centreX, centreY, unit);
  const data = new Uint8Array(pixels.length);
  for (let index = 0; index < pixels.length; index++) {
    data[index] = Math.max(0, Math.min(255, Math.round(pixels[index] as number)));
  }
  return { width, height, channels: 3, data };
}

function paintGradient(pixels: Float32Array, width: number, height: number, design: CoverArtworkDesign): void {
  const directionX = Math.cos(design.angle);
  const directionY = Math.sin(design.angle);
  const extent = (Math.abs(directionX) * width + Math.abs(directionY) * height) / 2;
  const [first, second, third] = design.colours;
  for (let y = 0; y < height; y++) {
    const offsetY = (y - height / 2) / height;
    for (let x = 0; x < width; x++) {
      const along = ((x - width / 2) * directionX + (y - height / 2) * directionY) / extent;
      const position = Math.max(0, Math.min(1, (along + 1) / 2));
      const lower = position < 0.5;
      const from = lower ? first : second;
      const to = lower ? second : third;
      const local = lower ? position * 2 : position * 2 - 1;
      const eased = local * local * (3 - 2 * local);
      // A gentle vignette darkens the corners.
      const offsetX = (x - width / 2) / width;
      const shade = 1 - 0.35 * (offsetX * offsetX + offsetY * offsetY);
      const index = (y * width + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const start = from[channel] as number;
        pixels[index + channel] = (start + ((to[channel] as number) - start) * eased) * shade;
      }
    }
  }
}

function paintPattern(
  pixels: Float32Array,
  width: number,
  height: number,
  pattern: CoverPattern,
  random: () => number,
): void {
  const unit = Math.min(width, height);
  const spacing = unit * (0.06 + random() * 0.04);
  const white: Colour = [255, 255, 255];
  const tilt = random() < 0.5 ? 1 : -1;
  const ringX = width * (random() < 0.5 ? -0.1 : 1.1);
  const ringY = height * random();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let coverage = 0;
      let alpha = 0.1;
      if (pattern === 'dots' || pattern === 'crosses') {
        const cellX = x - spacing * Math.round(x / spacing);
        const cellY = y - spacing * Math.round(y / spacing);
        if (pattern === 'dots') {
          coverage = edge(Math.hypot(cellX, cellY), spacing * 0.09);
          alpha = 0.16;
        } else {
          const arm = spacing * 0.16;
          const thickness = spacing * 0.035;
          const horizontal = Math.max(edge(Math.abs(cellY), thickness) * edge(Math.abs(cellX), arm), 0);
          const vertical = edge(Math.abs(cellX), thickness) * edge(Math.abs(cellY), arm);
          coverage = Math.max(horizontal, vertical);
          alpha = 0.18;
        }
      } else if (pattern === 'stripes') {
        const along = (x + tilt * y) / Math.SQRT2;
        const offset = Math.abs(along - spacing * Math.round(along / spacing));
        coverage = edge(offset, spacing * 0.22);
        alpha = 0.07;
      } else if (pattern === 'rings') {
        const radius = Math.hypot(x - ringX, y - ringY);
        const offset = Math.abs(radius - spacing * Math.round(radius / spacing));
        coverage = edge(offset, spacing * 0.06);
        alpha = 0.14;
      } else {
        const wave = y + Math.sin((x / unit) * Math.PI * 3) * spacing * 0.35;
        const offset = Math.abs(wave - spacing * Math.round(wave / spacing));
        coverage = edge(offset, spacing * 0.05);
        alpha = 0.16;
      }
      if (coverage > 0) blend(pixels, (y * width + x) * 3, white, alpha * coverage);
    }
  }
}

function paintDisc(
  pixels: Float32Array,
  width: number,
  height: number,
  centreX: number,
  centreY: number,
  radius: number,
  colour: Colour,
  alpha: number,
): void {
  forEachPixelIn(width, height, centreX - radius, centreY - radius, centreX + radius, centreY + radius, (x, y) => {
    const coverage = edge(Math.hypot(x - centreX, y - centreY), radius);
    if (coverage > 0) blend(pixels, (y * width + x) * 3, colour, alpha * coverage);
  });
}

function paintRing(
  pixels: Float32Array,
  width: number,
  height: number,
  centreX: number,
  centreY: number,
  radius: number,
  thickness: number,
  colour: Colour,
  alpha: number,
): void {
  const outer = radius + thickness;
  forEachPixelIn(width, height, centreX - outer, centreY - outer, centreX + outer, centreY + outer, (x, y) => {
    const coverage = edge(Math.abs(Math.hypot(x - centreX, y - centreY) - radius), thickness / 2);
    if (coverage > 0) blend(pixels, (y * width + x) * 3, colour, alpha * coverage);
  });
}

/** Draws the glyph as rounded tiles, first a soft shadow, then the tiles in white. */
function paintGlyph(
  pixels: Float32Array,
  width: number,
  height: number,
  character: string | undefined,
  centreX: number,
  centreY: number,
  unit: number,
): void {
  const cells = glyphCells(character);
  const cell = (unit * 0.5) / glyphHeight;
  const left = centreX - (glyphWidth * cell) / 2;
  const top = centreY - (glyphHeight * cell) / 2;
  const inset = cell * 0.07;
  const corner = cell * 0.28;
  const layers = [
    { offsetX: cell * 0.1, offsetY: cell * 0.16, softness: cell * 0.12, colour: [0, 0, 0] as Colour, alpha: 0.25 },
    { offsetX: 0, offsetY: 0, softness: 0.5, colour: [255, 255, 255] as Colour, alpha: 0.96 },
  ];
  for (const layer of layers) {
    cells.forEach((row, rowIndex) => {
      row.forEach((filled, columnIndex) => {
        if (!filled) return;
        const x0 = left + columnIndex * cell + inset + layer.offsetX;
        const y0 = top + rowIndex * cell + inset + layer.offsetY;
        const x1 = x0 + cell - inset * 2;
        const y1 = y0 + cell - inset * 2;
        const halfX = (x1 - x0) / 2;
        const halfY = (y1 - y0) / 2;
        const middleX = x0 + halfX;
        const middleY = y0 + halfY;
        const margin = layer.softness + 1;
        forEachPixelIn(width, height, x0 - margin, y0 - margin, x1 + margin, y1 + margin, (x, y) => {
          // Signed distance to a rounded rectangle.
          const distanceX = Math.abs(x + 0.5 - middleX) - (halfX - corner);
          const distanceY = Math.abs(y + 0.5 - middleY) - (halfY - corner);
          const outside = Math.hypot(Math.max(distanceX, 0), Math.max(distanceY, 0));
          const distance = outside + Math.min(Math.max(distanceX, distanceY), 0) - corner;
          const coverage = Math.max(0, Math.min(1, 0.5 - distance / (layer.softness * 2)));
          if (coverage > 0) blend(pixels, (y * width + x) * 3, layer.colour, layer.alpha * coverage);
        });
      });
    });
  }
}

function forEachPixelIn(
  width: number,
  height: number,
  fromX: number,
  fromY: number,
  toX: number,
  toY: number,
  visit: (x: number, y: number) => void,
): void {
  const startX = Math.max(0, Math.floor(fromX));
  const endX = Math.min(width - 1, Math.ceil(toX));
  const startY = Math.max(0, Math.floor(fromY));
  const endY = Math.min(height - 1, Math.ceil(toY));
  for (let y = startY; y <= endY; y++) {
    for (let x = startX; x <= endX; x++) visit(x, y);
  }
}

/** Anti-aliased coverage of a shape whose edge lies at `limit` when the pixel is `distance` away. */
function edge(distance: number, limit: number): number {
  return Math.max(0, Math.min(1, limit - distance + 0.5));
}

function blend(pixels: Float32Array, index: number, colour: Colour, alpha: number): void {
  for (let channel = 0; channel < 3; channel++) {
    const current = pixels[index + channel] as number;
    pixels[index + channel] = current + ((colour[channel] as number) - current) * alpha;
  }
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
