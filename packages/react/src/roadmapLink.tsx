import type { AnchorHTMLAttributes } from 'react';
import { useRoadmapLinkComponent } from './provider.js';

/**
 * What the components hand to `RoadmapProvider`'s `linkComponent` for each in-app link: the anchor's attributes with
 * a required `href`. Shaped as `next/link`'s `Link` takes them, so `linkComponent={Link}` type-checks as it is; a
 * router whose `Link` takes `to` needs one line: `({ href, ...props }) => <Link to={href} {...props} />`.
 */
export interface RoadmapLinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  /** Where the link goes: the path your `get…Href` prop built (e.g. `/roadmaps/learn-rust`), already encoded. */
  href: string;
}

/**
 * @internal An in-app link of the components: rendered by the provider's `linkComponent`, or as a plain `<a>`
 * without one (and outside a provider).
 */
export function RoadmapLink(props: RoadmapLinkProps) {
  const LinkComponent = useRoadmapLinkComponent() ?? 'a';
  return <LinkComponent {...props} />;
}
