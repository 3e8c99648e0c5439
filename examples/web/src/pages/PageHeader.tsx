import { type ReactNode, useEffect } from 'react';
import { useAppLabels } from '../appContext.js';
import { RouterLink } from '../RouterLink.js';

interface PageHeaderProps {
  title: string;
  intro?: ReactNode;
  /** A link back: `{ href, label }`. */
  back?: { href: string; label: string };
  actions?: ReactNode;
  /** Keep the title for screen readers and the document title only (the component below shows its own heading). */
  hideTitle?: boolean;
}

/** Title (also the document title), optional back link, intro and actions of a page. */
export function PageHeader({ title, intro, back, actions, hideTitle = false }: PageHeaderProps) {
  const { appName } = useAppLabels();
  useEffect(() => {
    document.title = `${title} · ${appName}`;
  }, [title, appName]);
  return (
    <div className="demo-page-header">
      {back && (
        <RouterLink className="demo-back" href={back.href}>
          <span aria-hidden="true">←</span> {back.label}
        </RouterLink>
      )}
      <div className="demo-page-title-row">
        <h1 className={hideTitle ? 'demo-sr-only' : undefined}>{title}</h1>
        {actions && <div className="demo-page-actions">{actions}</div>}
      </div>
      {intro && <p className="demo-intro">{intro}</p>}
    </div>
  );
}
