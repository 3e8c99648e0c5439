import { RoadmapCache, type RoadmapClient } from '@roadmap/core/client';
import { type ComponentType, createContext, type ReactNode, useContext, useMemo } from 'react';
import { englishLabels, type RoadmapLabels } from './labels.js';
import type { RoadmapLinkProps } from './roadmapLink.js';
import type { RoadmapTheme } from './types.js';

interface RoadmapContextValue {
  client: RoadmapClient;
  /** The client's observers (tasks, lists, resources, covers), shared by every hook under this provider. */
  cache: RoadmapCache;
  labels: RoadmapLabels;
  theme: RoadmapTheme;
  linkComponent: ComponentType<RoadmapLinkProps> | undefined;
}

const RoadmapContext = createContext<RoadmapContextValue | null>(null);

export interface RoadmapProviderProps {
  /** The client every hook and component talks to: `createRoadmapClient({ baseUrl, token })`. */
  client: RoadmapClient;
  /** Labels to replace; the rest stay English. Pass `chineseLabels` for Chinese. Default: `englishLabels`. */
  labels?: Partial<RoadmapLabels>;
  /** Color scheme; `system` follows the operating system. Default: `light`. */
  theme?: RoadmapTheme;
  /**
   * Renders the components' in-app links (task titles, "View roadmap", roadmap cards, concepts), so they navigate
   * with your router: `Link` from `next/link` as it is, or a one-line adapter for a router whose `Link` takes `to`
   * (React Router, TanStack Router). It gets `href`, `className`, `children` and the anchor's other attributes, and
   * should render an `<a>` with them. Define it once, outside any component: a new component on each render would
   * remount every link. External links (resources, Markdown) stay plain `<a target="_blank">`. Default: a plain `<a>`.
   *
   * @example
   * import Link from 'next/link';
   * <RoadmapProvider client={client} linkComponent={Link}>…</RoadmapProvider>
   */
  linkComponent?: ComponentType<RoadmapLinkProps> | undefined;
  children?: ReactNode;
}

/**
 * Gives the components a client, labels and a theme, and scopes the shipped CSS (`.roadmap-root`).
 *
 * @example
 * const client = createRoadmapClient({ baseUrl: '', token: () => auth.token });
 * <RoadmapProvider client={client} theme="system"><TaskList /></RoadmapProvider>
 */
export function RoadmapProvider({ client, labels, theme = 'light', linkComponent, children }: RoadmapProviderProps) {
  // A new client (a new login) gets a new cache: hooks move to its observers, and the old ones stop once unwatched.
  const cache = useMemo(() => new RoadmapCache(client), [client]);
  const value = useMemo(
    () => ({ client, cache, labels: labels ? { ...englishLabels, ...labels } : englishLabels, theme, linkComponent }),
    [client, cache, labels, theme, linkComponent],
  );
  return (
    <RoadmapContext.Provider value={value}>
      <div className="roadmap-root" data-theme={theme}>
        {children}
      </div>
    </RoadmapContext.Provider>
  );
}

/** @internal The whole context; throws outside a provider. */
export function useRoadmapContext(): RoadmapContextValue {
  const value = useContext(RoadmapContext);
  if (!value) throw new Error('useRoadmapClient must be used inside <RoadmapProvider>');
  return value;
}

/** @internal The provider's cache of observers; throws outside a provider. */
export function useRoadmapCache(): RoadmapCache {
  return useRoadmapContext().cache;
}

/** The provider's client. Throws `"useRoadmapClient must be used inside <RoadmapProvider>"` outside one. */
export function useRoadmapClient(): RoadmapClient {
  return useRoadmapContext().client;
}

/** The provider's labels (English unless replaced). Outside a provider: the English labels. */
export function useRoadmapLabels(): RoadmapLabels {
  return useContext(RoadmapContext)?.labels ?? englishLabels;
}

/** @internal The provider's theme, for content rendered in portals. */
export function useRoadmapTheme(): RoadmapTheme {
  return useContext(RoadmapContext)?.theme ?? 'light';
}

/** @internal The provider's link component; `undefined` (plain `<a>`) without one or outside a provider. */
export function useRoadmapLinkComponent(): ComponentType<RoadmapLinkProps> | undefined {
  return useContext(RoadmapContext)?.linkComponent;
}
