'use client';
/**
 * `@roadmap/react/markdown`: tutorials as GitHub-flavoured Markdown, rendered by react-markdown (CommonMark through
 * micromark) with remark-gfm (tables, task lists, strikethrough, autolinks). A separate entry point, because the
 * parser outweighs the rest of `@roadmap/react`: `<ConceptContent>` loads it on first use. It reaches the root
 * entry only through the package's name, so both share one React context.
 */
import { cn, safeHref, useRoadmapLabels } from '@roadmap/react';
import { type ComponentProps, createElement, useMemo } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { MermaidDiagram, type MermaidLoader, MermaidLoaderContext } from './mermaidDiagram.js';

export type { MermaidApi, MermaidLoader } from './mermaidDiagram.js';

export interface MarkdownProps extends Omit<ComponentProps<'div'>, 'children'> {
  /**
   * Markdown text (GitHub-flavoured), treated as untrusted: raw HTML is shown as text, links and images keep only
   * `http:`, `https:` and `mailto:` URLs. It may still be streaming in: an unclosed code fence or half a table
   * renders as what it is so far.
   */
  source: string;
  /** Added to heading levels, so `#` in the text becomes `<h3>` with the default. Default: `2`. */
  headingOffset?: number;
  /**
   * Loads mermaid to draw ```mermaid blocks, e.g. `() => import('mermaid')`; called only once such a block is
   * complete. Without it, or when mermaid fails, the diagram's source is shown as a labelled code block.
   * Default: none.
   */
  loadMermaid?: MermaidLoader;
}

/** The parts of an mdast node this module reads. */
interface MarkdownNode {
  type: string;
  children?: MarkdownNode[];
  position?: { start: { offset?: number }; end: { offset?: number } };
  data?: { hProperties?: Record<string, unknown> };
}

const fenceOpening = /^[\s>]*(`{3,}|~{3,})/;
const fenceClosing = /^[\s>]*(`{3,}|~{3,})\s*$/;

/**
 * A remark plugin marking fenced code whose closing fence has not arrived yet (`data-open` on its `<code>`), so a
 * diagram is drawn only once its text is complete.
 */
function markOpenFences() {
  return (tree: MarkdownNode, file: { value: unknown }) => {
    const text = String(file.value);
    const visit = (node: MarkdownNode) => {
      if (node.type === 'code') {
        const raw = text.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? text.length);
        const lines = raw.split('\n');
        const fence = fenceOpening.exec(lines[0] ?? '')?.[1];
        if (fence === undefined) return;
        const closing = lines.length > 1 ? fenceClosing.exec(lines.at(-1) ?? '')?.[1] : undefined;
        const closed = closing !== undefined && closing[0] === fence[0] && closing.length >= fence.length;
        if (!closed) node.data = { ...node.data, hProperties: { ...node.data?.hProperties, dataOpen: true } };
        return;
      }
      node.children?.forEach(visit);
    };
    visit(tree);
  };
}

/** The parts of a hast node this module reads and writes. */
interface HtmlNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HtmlNode[];
}

const isList = (node: HtmlNode) => node.tagName === 'ul' || node.tagName === 'ol';

/** Text of a node, leaving out nested lists (the text of a task item is its own, not its sub-items'). */
function ownText(node: HtmlNode): string {
  if (node.type === 'text') return node.value ?? '';
  if (isList(node)) return '';
  return (node.children ?? []).map(ownText).join('');
}

function firstCheckbox(node: HtmlNode): HtmlNode | undefined {
  for (const child of node.children ?? []) {
    if (child.tagName === 'input') return child;
    if (child.type === 'element' && !isList(child)) {
      const found = firstCheckbox(child);
      if (found) return found;
    }
  }
  return undefined;
}

/** A rehype plugin naming each task-list checkbox by its item's text, so it is not an unlabelled form control. */
function labelTaskCheckboxes() {
  return (tree: HtmlNode) => {
    const visit = (node: HtmlNode) => {
      const classNames = node.properties?.className;
      if (node.tagName === 'li' && Array.isArray(classNames) && classNames.includes('task-list-item')) {
        const checkbox = firstCheckbox(node);
        if (checkbox?.properties) checkbox.properties.ariaLabel = ownText(node).trim();
      }
      node.children?.forEach(visit);
    };
    visit(tree);
  };
}

const remarkPlugins = [remarkGfm, markOpenFences];
const rehypePlugins = [labelTaskCheckboxes];

/** Every URL in the output (links, images) goes through this: safe ones stay, anything else becomes empty. */
const urlTransform = (url: string) => safeHref(url) ?? '';

type Element = NonNullable<ExtraProps['node']>;

/** The `<code>` element inside a `<pre>`, its language (from `language-…`), text and whether its fence is open. */
function codeBlockOf(pre: Element | undefined) {
  const code = pre?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
  if (code === undefined) return undefined;
  const classNames = code.properties.className;
  const language = (Array.isArray(classNames) ? classNames : [])
    .map(String)
    .find((name) => name.startsWith('language-'))
    ?.slice('language-'.length)
    .toLowerCase();
  const text = code.children.map((child) => (child.type === 'text' ? child.value : '')).join('');
  return { language, text: text.replace(/\n$/, ''), open: code.properties.dataOpen !== undefined };
}

function createComponents(headingOffset: number, mermaidLabel: string) {
  const heading =
    (level: number) =>
    ({ node: _node, ...props }: ComponentProps<'h1'> & ExtraProps) =>
      createElement(`h${Math.min(6, Math.max(1, level + headingOffset))}`, props);
  const components: Components = {
    h1: heading(1),
    h2: heading(2),
    h3: heading(3),
    h4: heading(4),
    h5: heading(5),
    h6: heading(6),
    a: ({ node: _node, href, children, ...props }) =>
      href ? (
        <a {...props} className="roadmap-link" href={href} rel="noopener noreferrer nofollow" target="_blank">
          {children}
        </a>
      ) : (
        <span>{children}</span>
      ),
    // An image from model output would be fetched from anywhere: shown as a link to it, labelled by its alt text.
    img: ({ src, alt }) => {
      const href = typeof src === 'string' && src !== '' ? src : undefined;
      return href ? (
        <a className="roadmap-link" href={href} rel="noopener noreferrer nofollow" target="_blank">
          {alt || href}
        </a>
      ) : (
        <span>{alt}</span>
      );
    },
    pre: ({ node, children, ...props }) => {
      const block = codeBlockOf(node);
      if (block?.language === 'mermaid' && !block.open) {
        return <MermaidDiagram source={block.text} label={mermaidLabel} />;
      }
      return (
        <pre {...props} data-language={block?.language || undefined}>
          {children}
        </pre>
      );
    },
    table: ({ node: _node, ...props }) => (
      <div className="roadmap-table">
        <table {...props} />
      </div>
    ),
  };
  return components;
}

/**
 * Renders untrusted, possibly still streaming Markdown as React elements: headings, paragraphs, nested and task
 * lists, tables, quotes, fenced code (```mermaid drawn through `loadMermaid`), inline code, emphasis and links.
 * No HTML passes through and nothing uses `dangerouslySetInnerHTML`.
 *
 * @example
 * import { Markdown } from '@roadmap/react/markdown';
 * <Markdown source={tutorial.content} loadMermaid={() => import('mermaid')} />
 */
export function Markdown({ source, headingOffset = 2, loadMermaid, className, ...props }: MarkdownProps) {
  const labels = useRoadmapLabels();
  const components = useMemo(() => createComponents(headingOffset, labels.mermaid), [headingOffset, labels.mermaid]);
  return (
    <div data-slot="markdown" className={cn('roadmap-markdown', className)} {...props}>
      <MermaidLoaderContext.Provider value={loadMermaid}>
        <ReactMarkdown
          remarkPlugins={remarkPlugins}
          rehypePlugins={rehypePlugins}
          urlTransform={urlTransform}
          components={components}
        >
          {source}
        </ReactMarkdown>
      </MermaidLoaderContext.Provider>
    </div>
  );
}
