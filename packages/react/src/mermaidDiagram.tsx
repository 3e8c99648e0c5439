'use client';
import { createContext, useContext, useEffect, useId, useRef, useState } from 'react';

/** What `<Markdown>` uses of mermaid (stable since mermaid 10). */
export interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}

/**
 * Loads mermaid on demand, e.g. `() => import('mermaid')` in an app that installed it (an optional peer dependency).
 * It is a prop rather than an import inside the kit, so an app without mermaid still builds.
 */
export type MermaidLoader = () => Promise<MermaidApi | { default: MermaidApi }>;

/**
 * The loader of the `<Markdown>` around a diagram. A context rather than a prop of the Markdown components, so a
 * loader written inline (a new function on every render) changes neither the components nor the drawing.
 */
export const MermaidLoaderContext = createContext<MermaidLoader | undefined>(undefined);

export interface MermaidDiagramProps {
  /** The diagram's Mermaid source. */
  source: string;
  /** Caption of the figure. */
  label: string;
}

const initialized = new WeakSet<MermaidApi>();

/** Mermaid's settings for untrusted diagrams: no clicks or scripts, and labels as plain SVG text (no HTML). */
const mermaidSettings = {
  startOnLoad: false,
  securityLevel: 'strict',
  htmlLabels: false,
  flowchart: { htmlLabels: false },
};

/** An SVG as an image: its size from the `viewBox`, its bytes in a `data:` URL. */
function svgImage(svg: string): { src: string; width: number | undefined; height: number | undefined } {
  const viewBox = /viewBox="\s*[-\d.eE]+[\s,]+[-\d.eE]+[\s,]+([\d.eE]+)[\s,]+([\d.eE]+)\s*"/.exec(svg);
  const width = viewBox ? Math.ceil(Number(viewBox[1])) : undefined;
  const height = viewBox ? Math.ceil(Number(viewBox[2])) : undefined;
  return { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, width, height };
}

/**
 * A ```mermaid block: drawn by mermaid once `loadMermaid` has loaded it, shown as its source until then, and for
 * good when there is no loader or mermaid fails (a syntax error, no DOM). The drawing is shown as an `<img>` of the
 * SVG, so nothing in a diagram written by a model can run script or restyle the page.
 */
export function MermaidDiagram({ source, label }: MermaidDiagramProps) {
  // Mermaid uses the id in CSS selectors: keep letters, digits, `-` and `_` of React's id.
  const id = `roadmap-mermaid-${useId().replace(/[^\w-]/g, '')}`;
  const [drawing, setDrawing] = useState<{ source: string; svg: string } | null>(null);
  const loadMermaid = useContext(MermaidLoaderContext);
  const latestLoader = useRef(loadMermaid);
  useEffect(() => {
    latestLoader.current = loadMermaid;
  });
  const hasLoader = loadMermaid !== undefined;

  useEffect(() => {
    const load = latestLoader.current;
    if (!hasLoader || load === undefined) return;
    let current = true;
    const draw = async () => {
      const loaded = await load();
      const mermaid = 'default' in loaded ? loaded.default : loaded;
      if (!initialized.has(mermaid)) {
        mermaid.initialize(mermaidSettings);
        initialized.add(mermaid);
      }
      const { svg } = await mermaid.render(id, source);
      if (current) setDrawing({ source, svg });
    };
    draw().catch(() => {
      if (current) setDrawing(null);
    });
    return () => {
      current = false;
    };
  }, [id, source, hasLoader]);

  const image = drawing !== null && drawing.source === source ? svgImage(drawing.svg) : null;
  return (
    <figure data-slot="mermaid" data-state={image ? 'drawn' : 'source'} className="roadmap-mermaid">
      <figcaption>{label}</figcaption>
      {image ? (
        <img src={image.src} alt={source} width={image.width} height={image.height} />
      ) : (
        <pre data-language="mermaid">
          <code>{source}</code>
        </pre>
      )}
    </figure>
  );
}
