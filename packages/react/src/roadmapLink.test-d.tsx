import type {
  AnchorHTMLAttributes,
  ComponentProps,
  ForwardRefExoticComponent,
  MouseEventHandler,
  ReactElement,
  ReactNode,
  RefAttributes,
} from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import type { RoadmapLinkProps, RoadmapProvider } from './index.js';

// Look-alikes of the routers' own declarations, trimmed to what decides whether a link component fits (the packages
// are not dependencies of this one).

/** `next/link` 16 (`dist/client/link.d.ts`): `href` is a string or a URL object; anchor attributes pass through. */
type NextUrl = string | { pathname?: string | null; query?: string | null | Record<string, string>; hash?: string };
interface NextInternalLinkProps {
  href: NextUrl;
  as?: NextUrl;
  replace?: boolean;
  scroll?: boolean;
  prefetch?: boolean | 'auto' | null;
  onMouseEnter?: MouseEventHandler<HTMLAnchorElement>;
  onClick?: MouseEventHandler<HTMLAnchorElement>;
  onNavigate?: (event: { preventDefault: () => void }) => void;
}
declare const NextLink: ForwardRefExoticComponent<
  Omit<AnchorHTMLAttributes<HTMLAnchorElement>, keyof NextInternalLinkProps> &
    NextInternalLinkProps & { children?: ReactNode } & RefAttributes<HTMLAnchorElement>
>;

/** React Router 7 `Link`: a required `to` instead of `href`. */
interface ReactRouterLinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string | { pathname?: string; search?: string; hash?: string };
  replace?: boolean;
  reloadDocument?: boolean;
  state?: unknown;
}
declare const ReactRouterLink: ForwardRefExoticComponent<ReactRouterLinkProps & RefAttributes<HTMLAnchorElement>>;

/** TanStack Router `Link`: generic over `to`; a literal must be a route, a `string` passes as it is. */
type RoutePath = '/' | '/tasks/$taskId' | '/roadmaps/$roadmapId';
declare function TanStackLink<const To extends string>(
  props: Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
    to: string extends To ? string : To & RoutePath;
    preload?: 'intent' | 'render' | false;
  },
): ReactElement;

/** The adapters the README shows. */
const ReactRouterAdapter = ({ href, ...props }: RoadmapLinkProps) => <ReactRouterLink to={href} {...props} />;
const TanStackAdapter = ({ href, ...props }: RoadmapLinkProps) => <TanStackLink to={href} {...props} />;

type LinkComponent = NonNullable<ComponentProps<typeof RoadmapProvider>['linkComponent']>;

describe('RoadmapProvider linkComponent', () => {
  it('hands the link component a string href and the anchor attributes', () => {
    expectTypeOf<RoadmapLinkProps['href']>().toEqualTypeOf<string>();
    expectTypeOf<RoadmapLinkProps['className']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RoadmapLinkProps['children']>().toEqualTypeOf<ReactNode>();
    expectTypeOf<RoadmapLinkProps['onClick']>().toEqualTypeOf<MouseEventHandler<HTMLAnchorElement> | undefined>();
    expectTypeOf<RoadmapLinkProps['aria-current']>().toExtend<string | boolean | undefined>();
    expectTypeOf<RoadmapLinkProps>().toHaveProperty('rel');
    expectTypeOf<RoadmapLinkProps>().toHaveProperty('title');
  });

  it('accepts next/link as it is', () => {
    expectTypeOf(NextLink).toExtend<LinkComponent>();
  });

  it('accepts React Router and TanStack Router links through a one-line adapter, not bare', () => {
    expectTypeOf(ReactRouterLink).not.toExtend<LinkComponent>();
    expectTypeOf(ReactRouterAdapter).toExtend<LinkComponent>();

    expectTypeOf(TanStackLink).not.toExtend<LinkComponent>();
    expectTypeOf(TanStackAdapter).toExtend<LinkComponent>();
  });

  it('accepts a component that reads only some props, refuses one that needs props it never gets', () => {
    expectTypeOf((props: { href: string; children?: ReactNode }) => (
      <a href={props.href}>{props.children}</a>
    )).toExtend<LinkComponent>();
    expectTypeOf((props: { href: string; routeName: string }) => (
      <a href={props.href}>{props.routeName}</a>
    )).not.toExtend<LinkComponent>();
    expectTypeOf((props: { href: URL }) => <a href={props.href.pathname}>x</a>).not.toExtend<LinkComponent>();
  });
});
