/** Chart preferences remembered per browser: x axis, smoothing and log scale. */
import type { XAxis } from './state';

const KEY = 'torchloupe.prefs';

export interface Prefs {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
}

export const DEFAULT_PREFS: Prefs = { xAxis: 'step', smoothing: 0.6, logScale: false };

/** Reads stored preferences, keeping each default whose stored value is missing or malformed. */
export function parsePrefs(raw: string | null): Prefs {
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw ?? '{}');
    if (parsed && typeof parsed === 'object') v = parsed as Record<string, unknown>;
  } catch {
    v = {};
  }
  const xAxis = v['xAxis'] === 'step' || v['xAxis'] === 'relative' || v['xAxis'] === 'wall' ? v['xAxis'] : DEFAULT_PREFS.xAxis;
  const s = v['smoothing'];
  const smoothing = typeof s === 'number' && s >= 0 && s <= 0.999 ? s : DEFAULT_PREFS.smoothing;
  const logScale = typeof v['logScale'] === 'boolean' ? v['logScale'] : DEFAULT_PREFS.logScale;
  return { xAxis, smoothing, logScale };
}

export function loadPrefs(): Prefs {
  try {
    return parsePrefs(localStorage.getItem(KEY));
  } catch {
    return DEFAULT_PREFS;
  }
}

export function savePrefs(p: Prefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    // Not remembered; still applied.
  }
}
