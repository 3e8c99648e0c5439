import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');

/** The declarations of the first rule whose selector is exactly `selector`. */
function rule(selector: string): string {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no rule ${selector}`);
  return css.slice(css.indexOf('{', start) + 1, css.indexOf('}', start));
}

function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/(--roadmap-[\w-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1], m[2]]));
}

/** WCAG 2 contrast ratio of two `#rrggbb` colors. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

describe('styles.css', () => {
  const light = variables(rule('.roadmap-root'));
  const dark = variables(rule('.roadmap-root[data-theme="dark"]'));
  const system = variables(rule('  .roadmap-root[data-theme="system"]'));

  it.each([
    ['dark', { ...light, ...dark }],
    ['system dark', { ...light, ...system }],
    ['light', light],
  ])('gives outline buttons readable text and a visible border in %s', (_name, theme) => {
    const fill = theme['--roadmap-outline-background'] as string;
    expect(contrast(theme['--roadmap-foreground'] as string, fill)).toBeGreaterThanOrEqual(4.5);
    expect(
      contrast(theme['--roadmap-foreground'] as string, theme['--roadmap-outline-hover'] as string),
    ).toBeGreaterThanOrEqual(4.5);
  });

  it.each([
    ['dark', dark],
    ['system dark', system],
  ])('draws dark outline buttons with a border of at least 3:1 (%s)', (_name, theme) => {
    expect(
      contrast(theme['--roadmap-outline-border'] as string, theme['--roadmap-background'] as string),
    ).toBeGreaterThanOrEqual(3);
  });

  it('styles outline buttons from those properties, without color transitions', () => {
    expect(rule('.roadmap-button--outline')).toContain('border-color: var(--roadmap-outline-border)');
    expect(rule('.roadmap-button--outline')).toContain('background: var(--roadmap-outline-background)');
    expect(rule('.roadmap-button')).not.toMatch(/transition:[^;]*color/);
  });

  it('keeps a status badge as wide as its text in the card grid', () => {
    expect(rule('.roadmap-card__body')).toContain('display: grid');
    expect(rule('.roadmap-badge')).toContain('justify-self: start');
  });

  it('resets the filter fieldset', () => {
    expect(rule('.roadmap-filters')).toContain('border: 0');
  });
});
