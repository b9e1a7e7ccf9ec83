/**
 * Which tabs the page shows. The server says, per panel, whether it has data for the selected runs
 * (`has_data` in `GET /api/v1/panels`); a tab whose panels all have none is hidden. A panel the
 * server says nothing about (an older server, or a panel it did not list) counts as having data, so
 * its tab stays.
 */
import type { PanelInfo } from './api';

/** A listed panel; `has_data` may be missing (an older server), which counts as having data. */
export type Listed = Omit<PanelInfo, 'has_data'> & Partial<Pick<PanelInfo, 'has_data'>>;

/** The keys of the tabs to show, in their order: those with at least one panel that may have data. */
export function visibleTabs(tabs: ReadonlyMap<string, readonly string[]>, listed: readonly Listed[]): string[] {
  const known = new Map(listed.map((p) => [p.name, p.has_data]));
  return [...tabs].filter(([, panels]) => panels.some((name) => known.get(name) !== false)).map(([key]) => key);
}

/** The tab to open: the one asked for (the URL's hash) when it is shown, else the first shown one. */
export function chooseTab(wanted: string | null, visible: readonly string[]): string | null {
  return wanted !== null && visible.includes(wanted) ? wanted : visible[0] ?? null;
}
