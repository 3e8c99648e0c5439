// biome-ignore-all lint/suspicious/noArrayIndexKey: blocks and inline nodes are derived from the text in order; positions are their identity.
import { type ComponentProps, createElement, type ReactNode } from 'react';
import { cn } from './cn.js';
import { useRoadmapLabels } from './provider.js';

type Block =
  | { type: 'heading'; level: number; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'quote'; text: string }
  | { type: 'list'; ordered: boolean; items: string[] }
  | { type: 'code'; language: string; text: string }
  | { type: 'rule' };

const fencePattern = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const headingPattern = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const rulePattern = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const itemPattern = /^\s*([-*+]|\d{1,9}[.)])\s+(.*)$/;
const quotePattern = /^ {0,3}>\s?(.*)$/;

/** Splits Markdown into blocks: fenced code, headings, rules, lists, quotes, paragraphs. Never throws. */
export function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let index = 0;
  const startsBlock = (line: string) =>
    fencePattern.test(line) ||
    headingPattern.test(line) ||
    rulePattern.test(line) ||
    itemPattern.test(line) ||
    quotePattern.test(line);
  while (index < lines.length) {
    const line = lines[index] ?? '';
    const fence = fencePattern.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !(lines[index] ?? '').trim().startsWith(marker)) body.push(lines[index++] ?? '');
      index += 1;
      blocks.push({ type: 'code', language: (fence[2] ?? '').toLowerCase(), text: body.join('\n') });
      continue;
    }
    const heading = headingPattern.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      index += 1;
      continue;
    }
    if (rulePattern.test(line)) {
      blocks.push({ type: 'rule' });
      index += 1;
      continue;
    }
    const item = itemPattern.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1] ?? '');
      const items: string[] = [];
      while (index < lines.length) {
        const current = lines[index] ?? '';
        const next = itemPattern.exec(current);
        if (next && /\d/.test(next[1] ?? '') === ordered) items.push(next[2] ?? '');
        else if (!next && current.trim() && /^\s/.test(current) && items.length)
          items[items.length - 1] += ` ${current.trim()}`;
        else break;
        index += 1;
      }
      blocks.push({ type: 'list', ordered, items });
      continue;
    }
    if (quotePattern.test(line)) {
      const body: string[] = [];
      while (index < lines.length && quotePattern.test(lines[index] ?? ''))
        body.push(quotePattern.exec(lines[index++] ?? '')?.[1] ?? '');
      blocks.push({ type: 'quote', text: body.join(' ') });
      continue;
    }
    if (!line.trim()) {
      index += 1;
      continue;
    }
    const body = [line.trim()];
    index += 1;
    while (index < lines.length && (lines[index] ?? '').trim() && !startsBlock(lines[index] ?? ''))
      body.push((lines[index++] ?? '').trim());
    blocks.push({ type: 'paragraph', text: body.join(' ') });
  }
  return blocks;
}

/** The URL when it is `http:`, `https:` or `mailto:`; `undefined` for anything else (`javascript:`, `data:`, relative). */
export function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(trimmed) ? trimmed : undefined;
}

const inlinePattern =
  /(`+)([\s\S]*?[^`])\1(?!`)|\*\*(.+?)\*\*|__(.+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|(?<![\w])_([^_\s](?:[^_]*[^_\s])?)_(?![\w])|\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;

/** Inline Markdown as React nodes: code, bold, italic, links (allowed protocols only); the rest is text. */
export function renderInline(text: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(inlinePattern)) {
    const start = match.index ?? 0;
    if (start > last) nodes.push(text.slice(last, start));
    const key = nodes.length;
    const [whole, , code, strong, strongAlt, emphasis, emphasisAlt, linkText, linkUrl] = match;
    if (code !== undefined) nodes.push(<code key={key}>{code.trim()}</code>);
    else if (strong !== undefined || strongAlt !== undefined)
      nodes.push(<strong key={key}>{renderInline(strong ?? strongAlt ?? '')}</strong>);
    else if (emphasis !== undefined || emphasisAlt !== undefined)
      nodes.push(<em key={key}>{renderInline(emphasis ?? emphasisAlt ?? '')}</em>);
    else if (linkText !== undefined) {
      const href = safeHref(linkUrl ?? '');
      nodes.push(
        href ? (
          <a key={key} className="roadmap-link" href={href} rel="noopener noreferrer nofollow" target="_blank">
            {renderInline(linkText)}
          </a>
        ) : (
          <span key={key}>{renderInline(linkText)}</span>
        ),
      );
    } else nodes.push(whole);
    last = start + whole.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

export interface MarkdownProps extends ComponentProps<'div'> {
  /** Markdown text, treated as untrusted: no HTML is passed through, links are limited to http, https and mailto. */
  source: string;
  /** Added to heading levels, so `#` in the text becomes `<h3>` with the default. Default: `2`. */
  headingOffset?: number;
}

/**
 * Renders untrusted Markdown as React elements: headings, paragraphs, lists, quotes, fenced code (```mermaid as a
 * labelled code block), inline code, bold, italic and links. Never uses `dangerouslySetInnerHTML`.
 */
export function Markdown({ source, headingOffset = 2, className, ...props }: MarkdownProps) {
  const labels = useRoadmapLabels();
  return (
    <div data-slot="markdown" className={cn('roadmap-markdown', className)} {...props}>
      {parseBlocks(source).map((block, key) => {
        switch (block.type) {
          case 'heading':
            return createElement(`h${Math.min(6, block.level + headingOffset)}`, { key }, renderInline(block.text));
          case 'paragraph':
            return <p key={key}>{renderInline(block.text)}</p>;
          case 'quote':
            return <blockquote key={key}>{renderInline(block.text)}</blockquote>;
          case 'rule':
            return <hr key={key} />;
          case 'list':
            return createElement(
              block.ordered ? 'ol' : 'ul',
              { key },
              block.items.map((item, itemKey) => <li key={itemKey}>{renderInline(item)}</li>),
            );
          case 'code': {
            const code = (
              <pre key={key} data-language={block.language || undefined}>
                <code>{block.text}</code>
              </pre>
            );
            return block.language === 'mermaid' ? (
              <figure key={key} data-slot="mermaid" className="roadmap-mermaid">
                <figcaption>{labels.mermaid}</figcaption>
                {code}
              </figure>
            ) : (
              code
            );
          }
          default:
            return null;
        }
      })}
    </div>
  );
}
