import { useSyncExternalStore } from 'react';

/**
 * A tiny router on the History API: `navigate()` pushes a path, {@link usePathname} re-renders on change. Links
 * navigate through `RouterLink` (also the components' links: `RoadmapProvider`'s `linkComponent`).
 */

const navigationEvent = 'roadmap-demo:navigate';

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(navigationEvent, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(navigationEvent, listener);
  };
}

function snapshot(): string {
  return window.location.pathname;
}

/** The current path (without query and fragment). */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, snapshot, () => '/');
}

/** Goes to `path` (same origin) without reloading the page. */
export function navigate(path: string, { replace = false }: { replace?: boolean } = {}): void {
  const url = new URL(path, window.location.href);
  const target = `${url.pathname}${url.search}${url.hash}`;
  const changed = target !== `${window.location.pathname}${window.location.search}${window.location.hash}`;
  if (replace) window.history.replaceState(null, '', target);
  else if (changed) window.history.pushState(null, '', target);
  window.dispatchEvent(new Event(navigationEvent));
  if (changed && !url.hash) window.scrollTo(0, 0);
}

export type Route =
  | { name: 'home' }
  | { name: 'tasks' }
  | { name: 'task'; taskId: string }
  | { name: 'new' }
  | { name: 'roadmap'; roadmapId: string; conceptId: string | undefined }
  | { name: 'notFound' };

function segment(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value);
    return decoded === '' ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/** The page of a path. */
export function matchRoute(pathname: string): Route {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  const [first, second, third, fourth, ...rest] = parts;
  if (parts.length === 0 || (parts.length === 1 && first === '')) return { name: 'home' };
  if (rest.length > 0) return { name: 'notFound' };
  if (first === 'tasks') {
    if (second === undefined) return { name: 'tasks' };
    const taskId = segment(second);
    if (taskId && third === undefined) return { name: 'task', taskId };
  }
  if (first === 'roadmaps' && second !== undefined) {
    if (second === 'new' && third === undefined) return { name: 'new' };
    const roadmapId = segment(second);
    if (roadmapId && third === undefined) return { name: 'roadmap', roadmapId, conceptId: undefined };
    if (roadmapId && third === 'concepts' && fourth !== undefined) {
      const conceptId = segment(fourth);
      if (conceptId) return { name: 'roadmap', roadmapId, conceptId };
    }
  }
  return { name: 'notFound' };
}

/** Paths of the pages. */
export const paths = {
  home: () => '/',
  tasks: () => '/tasks',
  task: (taskId: string) => `/tasks/${encodeURIComponent(taskId)}`,
  newRoadmap: () => '/roadmaps/new',
  roadmap: (roadmapId: string) => `/roadmaps/${encodeURIComponent(roadmapId)}`,
  concept: (roadmapId: string, conceptId: string) =>
    `/roadmaps/${encodeURIComponent(roadmapId)}/concepts/${encodeURIComponent(conceptId)}`,
};
