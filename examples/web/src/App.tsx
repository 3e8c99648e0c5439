import { createRoadmapClient } from '@roadmap/core/client';
import { chineseLabels, RoadmapProvider } from '@roadmap/react';
import { useMemo, useSyncExternalStore } from 'react';
import { AppLabelsContext } from './appContext.js';
import { chineseAppLabels, englishAppLabels } from './appLabels.js';
import { getSession, signOut, subscribeSession } from './auth.js';
import { Header } from './Header.js';
import { HomePage } from './pages/HomePage.js';
import { NewRoadmapPage } from './pages/NewRoadmapPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { RoadmapPage } from './pages/RoadmapPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { TaskPage } from './pages/TaskPage.js';
import { TasksPage } from './pages/TasksPage.js';
import { useLanguage, useTheme } from './preferences.js';
import { RouterLink } from './RouterLink.js';
import { matchRoute, type Route, usePathname } from './router.js';

/** `fetch` that ends the session when the server says the token is no longer good (expired, other secret). */
const fetchSigningOutOn401: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  if (response.status === 401 && getSession()) signOut('expired');
  return response;
};

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'tasks':
      return <TasksPage />;
    case 'task':
      return <TaskPage key={route.taskId} taskId={route.taskId} />;
    case 'new':
      return <NewRoadmapPage />;
    case 'roadmap':
      return <RoadmapPage key={route.roadmapId} roadmapId={route.roadmapId} conceptId={route.conceptId} />;
    case 'notFound':
      return <NotFoundPage />;
  }
}

export function App() {
  const session = useSyncExternalStore(subscribeSession, getSession);
  const [language, setLanguage] = useLanguage();
  const [theme, setTheme] = useTheme();
  const route = matchRoute(usePathname());
  const token = session?.token;

  // One client per signed-in token: signing in as someone else starts with empty caches.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the token is read on each request; a new one means a new user.
  const client = useMemo(
    () => createRoadmapClient({ baseUrl: '', token: () => getSession()?.token ?? '', fetch: fetchSigningOutOn401 }),
    [token],
  );
  const labels = language === 'zh' ? chineseLabels : undefined;
  const appLabels = language === 'zh' ? chineseAppLabels : englishAppLabels;

  return (
    <RoadmapProvider client={client} labels={labels} theme={theme} linkComponent={RouterLink}>
      <AppLabelsContext.Provider value={appLabels}>
        <div className="demo-app">
          <a className="demo-skip-link" href="#main">
            {appLabels.skipToContent}
          </a>
          <Header
            route={route}
            session={session}
            language={language}
            onLanguageChange={setLanguage}
            theme={theme}
            onThemeChange={setTheme}
          />
          <main id="main" className="demo-main" tabIndex={-1}>
            {session ? <Page route={route} /> : <SignInPage />}
          </main>
        </div>
      </AppLabelsContext.Provider>
    </RoadmapProvider>
  );
}
