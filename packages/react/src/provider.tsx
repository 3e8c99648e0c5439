import { RoadmapCache, type RoadmapClient } from '@roadmap/core/client';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { englishLabels, type RoadmapLabels } from './labels.js';
import type { RoadmapTheme } from './types.js';

interface RoadmapContextValue {
  client: RoadmapClient;
  /** The client's observers (tasks, lists, resources, covers), shared by every hook under this provider. */
  cache: RoadmapCache;
  labels: RoadmapLabels;
  theme: RoadmapTheme;
}

const RoadmapContext = createContext<RoadmapContextValue | null>(null);

export interface RoadmapProviderProps {
  /** The client every hook and component talks to: `createRoadmapClient({ baseUrl, token })`. */
  client: RoadmapClient;
  /** Labels to replace; the rest stay English. Pass `chineseLabels` for Chinese. Default: `englishLabels`. */
  labels?: Partial<RoadmapLabels>;
  /** Color scheme; `system` follows the operating system. Default: `light`. */
  theme?: RoadmapTheme;
  children?: ReactNode;
}

/**
 * Gives the components a client, labels and a theme, and scopes the shipped CSS (`.roadmap-root`).
 *
 * @example
 * const client = createRoadmapClient({ baseUrl: '', token: () => auth.token });
 * <RoadmapProvider client={client} theme="system"><TaskList /></RoadmapProvider>
 */
export function RoadmapProvider({ client, labels, theme = 'light', children }: RoadmapProviderProps) {
  // A new client (a new login) gets a new cache: hooks move to its observers, and the old ones stop once unwatched.
  const cache = useMemo(() => new RoadmapCache(client), [client]);
  const value = useMemo(
    () => ({ client, cache, labels: labels ? { ...englishLabels, ...labels } : englishLabels, theme }),
    [client, cache, labels, theme],
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
