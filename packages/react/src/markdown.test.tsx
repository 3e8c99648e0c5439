// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown, safeHref } from './markdown.js';

afterEach(cleanup);

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
    expect(paragraph?.textContent).toBe('Each value has one owner and moves by default. Still the same paragraph.');
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
    expect(container.querySelector('pre[data-language="rust"] code')?.textContent).toBe('let s = String::from("<b>");');
    expect(container.querySelector('b')).toBeNull();
  });

  it('shows Mermaid as a labelled code block', () => {
    const { container } = render(<Markdown source={'```mermaid\ngraph TD; A-->B\n```'} />);
    const figure = container.querySelector('figure[data-slot="mermaid"]');
    expect(figure?.querySelector('figcaption')?.textContent).toBe('Mermaid diagram');
    expect(figure?.querySelector('code')?.textContent).toBe('graph TD; A-->B');
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

  it('allows only http, https and mailto URLs', () => {
    expect(safeHref(' https://example.com ')).toBe('https://example.com');
    expect(safeHref('JavaScript:alert(1)')).toBeUndefined();
    expect(safeHref('java\tscript:alert(1)')).toBeUndefined();
    expect(safeHref('//evil.example')).toBeUndefined();
  });
});
