// @vitest-environment jsdom
import { act, cleanup, render, waitFor } from '@testing-library/react';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Markdown } from './markdown.js';
import type { MermaidApi } from './mermaidDiagram.js';
import { safeHref } from './safeHref.js';

afterEach(cleanup);

/** A mermaid stand-in: draws every diagram as a 120×80 SVG, or fails on sources containing `fail`. */
function fakeMermaid() {
  const mermaid = {
    initialize: vi.fn<MermaidApi['initialize']>(),
    render: vi.fn<MermaidApi['render']>(async (id, text) => {
      if (text.includes('fail')) throw new Error('Parse error on line 1');
      return {
        svg: `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 80"><text>${text}</text></svg>`,
      };
    }),
  };
  const load = vi.fn(async () => ({ default: mermaid }));
  return { mermaid, load };
}

const tutorial = [
  '# Ownership',
  '',
  'Each value has **one owner**; read [the book](https://doc.rust-lang.org/book/).',
  '',
  '- Rules',
  '  - one owner',
  '  - moves by default',
  '- [x] read chapter 4',
  '- [ ] do the exercises',
  '',
  '| Type | Copy? |',
  '|:-----|------:|',
  '| `i32` | yes |',
  '| `String` | no |',
  '',
  '```rust',
  'let s = String::from("<b>");',
  '```',
  '',
  '```mermaid',
  'graph TD; Owner-->Value',
  '```',
  '',
  '> Borrowing comes next.',
].join('\n');

describe('Markdown', () => {
  it('renders headings, paragraphs, lists, code and inline marks as elements', () => {
    const { container } = render(
      <Markdown
        source={[
          '# Ownership',
          '',
          'Each value has **one _owner_** and `moves` by default.',
          'Still the same paragraph.',
          '',
          '- first',
          '- second with [docs](https://doc.rust-lang.org)',
          '',
          '1. one',
          '2. two',
          '',
          '```rust',
          'let s = String::from("<b>");',
          '```',
        ].join('\n')}
      />,
    );
    expect(container.querySelector('h3')?.textContent).toBe('Ownership');
    const paragraph = container.querySelector('p');
    expect(paragraph?.textContent?.replace(/\s+/g, ' ')).toBe(
      'Each value has one owner and moves by default. Still the same paragraph.',
    );
    expect(paragraph?.querySelector('strong em')?.textContent).toBe('owner');
    expect(paragraph?.querySelector('code')?.textContent).toBe('moves');
    expect([...container.querySelectorAll('ul li')].map((item) => item.textContent)).toEqual([
      'first',
      'second with docs',
    ]);
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
    const link = container.querySelector('a');
    expect(link?.getAttribute('href')).toBe('https://doc.rust-lang.org');
    expect(link?.getAttribute('rel')).toContain('noopener');
    expect(container.querySelector('pre[data-language="rust"] code')?.textContent).toBe(
      'let s = String::from("<b>");\n',
    );
    expect(container.querySelector('b')).toBeNull();
  });

  it('renders GitHub-flavoured tables, nested lists, task lists and strikethrough', async () => {
    const { container } = render(<Markdown source={`${tutorial}\n\n~~gone~~ and www.rust-lang.org`} />);
    const headers = [...container.querySelectorAll('table thead th')];
    expect(headers.map((header) => header.textContent)).toEqual(['Type', 'Copy?']);
    expect(headers.map((header) => (header as HTMLElement).style.textAlign)).toEqual(['left', 'right']);
    expect([...container.querySelectorAll('table tbody tr')].map((row) => row.textContent)).toEqual([
      'i32yes',
      'Stringno',
    ]);
    expect(container.querySelector('.roadmap-table > table')).not.toBeNull();
    expect([...container.querySelectorAll('ul > li > ul > li')].map((item) => item.textContent)).toEqual([
      'one owner',
      'moves by default',
    ]);
    const boxes = [...container.querySelectorAll<HTMLInputElement>('li input[type="checkbox"]')];
    expect(boxes.map((box) => [box.checked, box.disabled, box.getAttribute('aria-label')])).toEqual([
      [true, true, 'read chapter 4'],
      [false, true, 'do the exercises'],
    ]);
    expect(container.querySelector('del')?.textContent).toBe('gone');
    expect(container.querySelector('a[href="http://www.rust-lang.org"]')?.textContent).toBe('www.rust-lang.org');
    expect(container.querySelector('blockquote')?.textContent?.trim()).toBe('Borrowing comes next.');
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(result.violations.map((violation) => violation.id)).toEqual([]);
  });

  it('offsets heading levels, never past h6', () => {
    const { container } = render(<Markdown source={'# One\n\n#### Four\n\n###### Six'} headingOffset={1} />);
    expect([...container.querySelectorAll('h2, h5, h6')].map((heading) => heading.tagName)).toEqual(['H2', 'H5', 'H6']);
  });

  it('shows Mermaid as a labelled code block when there is no mermaid to draw it', () => {
    const { container } = render(<Markdown source={'```mermaid\ngraph TD; A-->B\n```'} />);
    const figure = container.querySelector('figure[data-slot="mermaid"]');
    expect(figure?.getAttribute('data-state')).toBe('source');
    expect(figure?.querySelector('figcaption')?.textContent).toBe('Mermaid diagram');
    expect(figure?.querySelector('code')?.textContent).toBe('graph TD; A-->B');
  });

  it('draws a complete Mermaid block with the loaded mermaid, as an image of the SVG', async () => {
    const { mermaid, load } = fakeMermaid();
    const { container } = render(<Markdown source={'```mermaid\ngraph TD; A-->B\n```'} loadMermaid={load} />);
    const image = await waitFor(() => {
      const found = container.querySelector<HTMLImageElement>('figure[data-slot="mermaid"] img');
      expect(found).not.toBeNull();
      return found as HTMLImageElement;
    });
    expect(container.querySelector('figure')?.getAttribute('data-state')).toBe('drawn');
    expect(image.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(decodeURIComponent(image.getAttribute('src') ?? '')).toContain('<text>graph TD; A-->B</text>');
    expect([image.getAttribute('width'), image.getAttribute('height')]).toEqual(['120', '80']);
    expect(image.alt).toBe('graph TD; A-->B');
    expect(container.querySelector('figure code')).toBeNull();
    expect(mermaid.initialize).toHaveBeenCalledWith(expect.objectContaining({ securityLevel: 'strict' }));
    expect(mermaid.render).toHaveBeenCalledTimes(1);
    expect(mermaid.render.mock.calls[0]?.[0]).toMatch(/^roadmap-mermaid-[\w-]+$/);
  });

  it('keeps the source when mermaid fails to load or to draw', async () => {
    const { mermaid, load } = fakeMermaid();
    const { container } = render(<Markdown source={'```mermaid\nfail here\n```'} loadMermaid={load} />);
    await waitFor(() => expect(mermaid.render).toHaveBeenCalledTimes(1));
    await act(async () => {});
    expect(container.querySelector('figure img')).toBeNull();
    expect(container.querySelector('figure code')?.textContent).toBe('fail here');

    const missing = vi.fn(() => Promise.reject(new Error("Cannot find module 'mermaid'")));
    const other = render(<Markdown source={'```mermaid\ngraph TD; A-->B\n```'} loadMermaid={missing} />);
    await waitFor(() => expect(missing).toHaveBeenCalledTimes(1));
    await act(async () => {});
    expect(other.container.querySelector('figure code')?.textContent).toBe('graph TD; A-->B');
  });

  it('draws once however often it re-renders with a new inline loader', async () => {
    const { mermaid } = fakeMermaid();
    const source = '```mermaid\ngraph TD; A-->B\n```';
    const view = render(<Markdown source={source} loadMermaid={async () => mermaid} />);
    await waitFor(() => expect(view.container.querySelector('figure img')).not.toBeNull());
    for (let index = 0; index < 3; index++) {
      view.rerender(<Markdown source={source} loadMermaid={async () => mermaid} />);
    }
    await act(async () => {});
    expect(mermaid.render).toHaveBeenCalledTimes(1);
    expect(view.container.querySelector('figure img')).not.toBeNull();
  });

  it('passes no HTML through and drops links of other protocols', () => {
    const { container } = render(
      <Markdown
        source={
          '<img src=x onerror="alert(1)"> <script>alert(1)</script>\n\n[click](javascript:alert(1)) [data](data:text/html,x) [mail](mailto:a@b.c)'
        }
      />,
    );
    expect(container.querySelector('img, script')).toBeNull();
    expect(container.textContent).toContain('<script>alert(1)</script>');
    expect([...container.querySelectorAll('a')].map((link) => link.getAttribute('href'))).toEqual(['mailto:a@b.c']);
    expect(container.textContent).toContain('click');
  });

  it('shows images as links labelled by their alt text, and never loads them', () => {
    const { container } = render(
      <Markdown
        source={'![a diagram](https://example.com/d.png) ![tracker](javascript:alert(1)) ![](//evil.test/x)'}
      />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect([...container.querySelectorAll('a')].map((link) => [link.getAttribute('href'), link.textContent])).toEqual([
      ['https://example.com/d.png', 'a diagram'],
    ]);
    expect(container.textContent).toContain('tracker');
  });

  it('renders every prefix of a tutorial while it streams in, drawing the diagram only once it is complete', async () => {
    const { mermaid, load } = fakeMermaid();
    const view = render(<Markdown source="" loadMermaid={load} />);
    const mermaidStart = tutorial.indexOf('```mermaid');
    const mermaidEnd = tutorial.indexOf('```', mermaidStart + 3) + 3;
    for (let length = 1; length <= tutorial.length; length++) {
      const prefix = tutorial.slice(0, length);
      view.rerender(<Markdown source={prefix} loadMermaid={load} />);
      if (length === tutorial.indexOf('|:-----') + 3) {
        // Half a table (its delimiter row not finished) is a paragraph of text so far.
        expect(view.container.querySelector('table')).toBeNull();
        expect(view.container.textContent).toContain('| Type | Copy? |');
      }
      if (length === tutorial.indexOf('let s') + 5) {
        // An unclosed fence is code up to the end of the text.
        expect(view.container.querySelector('pre[data-language="rust"] code')?.textContent).toBe('let s\n');
      }
      if (length > mermaidStart && length < mermaidEnd) {
        expect(view.container.querySelector('figure img')).toBeNull();
      }
    }
    await waitFor(() => expect(view.container.querySelector('figure img')).not.toBeNull());
    // Only the complete diagram was ever drawn.
    expect(mermaid.render.mock.calls.map((call) => call[1])).toEqual(['graph TD; Owner-->Value']);
    const fresh = render(<Markdown source={tutorial} />);
    expect(view.container.querySelector('table')?.outerHTML).toBe(fresh.container.querySelector('table')?.outerHTML);
    expect(view.container.querySelector('ul')?.outerHTML).toBe(fresh.container.querySelector('ul')?.outerHTML);
    expect(view.container.querySelectorAll('li')).toHaveLength(5);
  });

  it('allows only http, https and mailto URLs', () => {
    expect(safeHref(' https://example.com ')).toBe('https://example.com');
    expect(safeHref('JavaScript:alert(1)')).toBeUndefined();
    expect(safeHref('java\tscript:alert(1)')).toBeUndefined();
    expect(safeHref('//evil.example')).toBeUndefined();
  });
});
