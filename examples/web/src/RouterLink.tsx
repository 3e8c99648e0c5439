import type { RoadmapLinkProps } from '@roadmap/react';
import type { MouseEvent } from 'react';
import { navigate } from './router.js';

/** A click the browser should handle itself: not the main button, a modifier held (new tab, window, download). */
function isModifiedClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
}

/**
 * A link of the app's router. A plain left click goes to `href` with `navigate()`, without reloading the page;
 * modified and middle clicks, links with a `target` or `download`, and clicks an `onClick` already handled are left to
 * the browser. The app's own links use it, and `RoadmapProvider` renders the components' links with it
 * (`linkComponent`).
 */
export function RouterLink({ href, onClick, ...props }: RoadmapLinkProps) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || isModifiedClick(event)) return;
    if ((props.target && props.target !== '_self') || props.download !== undefined) return;
    event.preventDefault();
    navigate(href);
  };
  return <a {...props} href={href} onClick={click} />;
}
