import { describe, expect, it } from 'vitest';
import { chooseTab, visibleTabs } from './tab-visibility';

const TABS = new Map<string, string[]>([
  ['scalars', ['scalars']],
  ['evaluation', ['confusion', 'class_metrics']],
  ['projector', ['projector']],
]);

describe('visibleTabs', () => {
  it('hides a tab whose panels all have no data', () => {
    const listed = [
      { name: 'scalars', title: 'Scalars', has_data: true },
      { name: 'confusion', title: 'Confusion', has_data: false },
      { name: 'class_metrics', title: 'Metrics', has_data: false },
      { name: 'projector', title: 'Projector', has_data: false },
    ];
    expect(visibleTabs(TABS, listed)).toEqual(['scalars']);
  });

  it('keeps a tab when one of its panels has data', () => {
    const listed = [
      { name: 'scalars', title: 'Scalars', has_data: false },
      { name: 'confusion', title: 'Confusion', has_data: false },
      { name: 'class_metrics', title: 'Metrics', has_data: true },
      { name: 'projector', title: 'Projector', has_data: false },
    ];
    expect(visibleTabs(TABS, listed)).toEqual(['evaluation']);
  });

  it('shows every tab when the server does not say (an older server)', () => {
    const listed = [...TABS.values()].flat().map((name) => ({ name, title: name }));
    expect(visibleTabs(TABS, listed)).toEqual(['scalars', 'evaluation', 'projector']);
  });

  it('shows a tab whose panel the server did not list', () => {
    expect(visibleTabs(TABS, [{ name: 'scalars', title: 'Scalars', has_data: false }])).toEqual(['evaluation', 'projector']);
  });

  it('hides every tab of an empty store', () => {
    const listed = [...TABS.values()].flat().map((name) => ({ name, title: name, has_data: false }));
    expect(visibleTabs(TABS, listed)).toEqual([]);
  });
});

describe('chooseTab', () => {
  it('opens the tab asked for when it is shown', () => {
    expect(chooseTab('evaluation', ['scalars', 'evaluation'])).toBe('evaluation');
  });

  it('falls back to the first shown tab when the one asked for is hidden', () => {
    expect(chooseTab('projector', ['scalars', 'evaluation'])).toBe('scalars');
    expect(chooseTab(null, ['evaluation'])).toBe('evaluation');
  });

  it('opens nothing when every tab is hidden', () => {
    expect(chooseTab('scalars', [])).toBeNull();
  });
});
