/** Light and dark theme: remembered per browser, defaulting to the system preference. */
import type { Theme } from './state';

const KEY = 'torchloupe.theme';

export function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // Storage disabled: fall through to the system preference.
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme, remember: boolean): void {
  document.documentElement.dataset['theme'] = theme;
  document.documentElement.style.colorScheme = theme;
  if (!remember) return;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered across visits, still applied now.
  }
}

/** Chart colours come from the theme's CSS variables so that one stylesheet drives both. */
export interface ChartTheme {
  axis: string;
  grid: string;
  text: string;
  marker: string;
  font: string;
}

export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    axis: v('--chart-axis', '#888'),
    grid: v('--chart-grid', 'rgba(128,128,128,0.15)'),
    text: v('--text-muted', '#666'),
    marker: v('--danger', '#e5484d'),
    font: `11px ${v('--font-sans', 'system-ui, sans-serif')}`,
  };
}
