import type { BatchCover, Cover, RoadmapClient } from '@roadmap/core/client';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { englishLabels, type RoadmapLabels } from './labels.js';
import { KeyedStore } from './store.js';
import type { RoadmapTheme } from './types.js';

interface RoadmapContextValue {
  client: RoadmapClient;
  labels: RoadmapLabels;
  theme: RoadmapTheme;
  /** Covers known to this provider, by roadmap id: shared by `useCoverImages` and every `CoverImage`. */
  covers: KeyedStore<Cover | BatchCover>;
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
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new client starts with an empty cover cache.
  const covers = useMemo(() => new KeyedStore<Cover | BatchCover>(), [client]);
  const value = useMemo(
    () => ({ client, labels: labels ? { ...englishLabels, ...labels } : englishLabels, theme, covers }),
    [client, labels, theme, covers],
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
