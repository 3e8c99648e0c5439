import { useAppLabels } from './appContext.js';
import { type Session, signOut } from './auth.js';
import type { Language, Theme } from './preferences.js';
import { RouterLink } from './RouterLink.js';
import { paths, type Route } from './router.js';

interface HeaderProps {
  route: Route;
  session: Session | null;
  language: Language;
  onLanguageChange: (language: Language) => void;
  theme: Theme;
  onThemeChange: (theme: Theme) => void;
}

const nextTheme: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

function ThemeIcon({ theme }: { theme: Theme }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
    >
      {theme === 'light' && (
        <>
          <circle cx="12" cy="12" r="4" />
          <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
        </>
      )}
      {theme === 'dark' && <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" />}
      {theme === 'system' && (
        <>
          <rect x="3" y="4" width="18" height="12" rx="2" />
          <path d="M8 20h8M12 16v4" />
        </>
      )}
    </svg>
  );
}

export function Header({ route, session, language, onLanguageChange, theme, onThemeChange }: HeaderProps) {
  const labels = useAppLabels();
  const current = (names: Route['name'][]) => (names.includes(route.name) ? ('page' as const) : undefined);
  return (
    <header className="demo-header">
      <RouterLink className="demo-brand" href={paths.home()}>
        <svg viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">
          <rect width="32" height="32" rx="7" fill="currentColor" />
          <path
            d="M8 23 L14 15 L18 19 L24 9"
            fill="none"
            stroke="var(--demo-brand-contrast)"
            strokeWidth="3"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <span>{labels.appName}</span>
      </RouterLink>
      {session && (
        <nav className="demo-nav" aria-label="Main">
          <RouterLink href={paths.home()} aria-current={current(['home', 'roadmap'])}>
            {labels.navRoadmaps}
          </RouterLink>
          <RouterLink href={paths.tasks()} aria-current={current(['tasks', 'task'])}>
            {labels.navTasks}
          </RouterLink>
          <RouterLink href={paths.newRoadmap()} aria-current={current(['new'])}>
            {labels.navNew}
          </RouterLink>
        </nav>
      )}
      <div className="demo-header-tools">
        <button
          type="button"
          className="demo-tool"
          lang={language === 'en' ? 'zh-CN' : 'en'}
          aria-label={`${labels.language}: ${labels.switchLanguage}`}
          onClick={() => onLanguageChange(language === 'en' ? 'zh' : 'en')}
        >
          {labels.switchLanguage}
        </button>
        <button
          type="button"
          className="demo-tool"
          aria-label={`${labels.theme}: ${labels.themeNames[theme]}`}
          title={`${labels.theme}: ${labels.themeNames[theme]}`}
          onClick={() => onThemeChange(nextTheme[theme])}
        >
          <ThemeIcon theme={theme} />
          <span className="demo-tool-text">{labels.themeNames[theme]}</span>
        </button>
        {session && (
          <>
            <span className="demo-user" title={labels.signedInAs(session.userId)}>
              {session.userId}
            </span>
            <button type="button" className="demo-tool" onClick={() => signOut()}>
              {labels.signOut}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
