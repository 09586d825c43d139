'use client';
// Cycles system → dark → light; stored in localStorage. <html class="dark"> when dark,
// class "light" for an explicit light choice (the CSS follows the system otherwise).
import { useEffect, useState } from 'react';

import { MoonIcon, SunIcon, SystemIcon } from './icons';

type Theme = 'system' | 'dark' | 'light';
const KEY = 'hallway.theme';
const ORDER: Theme[] = ['system', 'dark', 'light'];
const LABEL: Record<Theme, string> = { system: 'System theme', dark: 'Dark theme', light: 'Light theme' };

function stored(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'dark' || v === 'light' ? v : 'system';
  } catch {
    return 'system';
  }
}

function apply(theme: Theme, systemDark: boolean): void {
  const root = document.documentElement;
  const dark = theme === 'dark' || (theme === 'system' && systemDark);
  root.classList.toggle('dark', dark);
  root.classList.toggle('light', theme === 'light');
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');

  useEffect(() => setTheme(stored()), []);

  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    apply(theme, mq.matches);
    if (theme !== 'system') return;
    const onChange = () => apply('system', mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [theme]);

  const cycle = () => {
    const next = ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length] ?? 'system';
    setTheme(next);
    try {
      if (next === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // Storage disabled: the choice lasts for this page.
    }
  };

  const Icon = theme === 'dark' ? MoonIcon : theme === 'light' ? SunIcon : SystemIcon;
  return (
    <button
      type="button"
      onClick={cycle}
      aria-label="Toggle theme"
      title={`${LABEL[theme]} (click to change)`}
      data-theme={theme}
      className="btn size-10 min-h-0 p-0 short:size-8"
    >
      <Icon />
    </button>
  );
}
