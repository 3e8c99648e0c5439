import { useCallback, useEffect, useState } from 'react';

export type Language = 'en' | 'zh';
export type Theme = 'light' | 'dark' | 'system';

function stored<T extends string>(key: string, allowed: readonly T[]): T | undefined {
  try {
    const value = localStorage.getItem(key);
    return allowed.includes(value as T) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not persisted; it still applies until reload.
  }
}

/** A preference kept in localStorage. */
function usePreference<T extends string>(key: string, allowed: readonly T[], fallback: () => T) {
  const [value, setValue] = useState<T>(() => stored(key, allowed) ?? fallback());
  const update = useCallback(
    (next: T) => {
      store(key, next);
      setValue(next);
    },
    [key],
  );
  return [value, update] as const;
}

export function useLanguage() {
  const [language, setLanguage] = usePreference<Language>('roadmap-demo.language', ['en', 'zh'], () =>
    navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en',
  );
  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  }, [language]);
  return [language, setLanguage] as const;
}

export function useTheme() {
  const [theme, setTheme] = usePreference<Theme>('roadmap-demo.theme', ['light', 'dark', 'system'], () => 'system');
  useEffect(() => {
    // The page background outside the components follows the same scheme.
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return [theme, setTheme] as const;
}
