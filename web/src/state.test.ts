import { describe, expect, it } from 'vitest';
import type { Run } from './api';
import { Store, newestRuns, reconcileSelection, type StateChange } from './state';

function run(id: string, started: number): Run {
  return {
    id, project: 'p', name: id, status: 'finished', started, ended: started + 1, heartbeat: null,
    config: {}, summary: {}, keys: 0, points: 0, error: null,
  };
}

describe('Store', () => {
  it('notifies once with the keys that changed', () => {
    const store = new Store({ a: 1, b: 'x' });
    const seen: Array<StateChange<{ a: number; b: string }>> = [];
    const off = store.subscribe((c) => seen.push(c));
    store.set({ a: 1 });
    store.set({ a: 2, b: 'x' });
    expect(seen).toHaveLength(1);
    expect([...(seen[0]?.changed ?? [])]).toEqual(['a']);
    expect(store.get()).toEqual({ a: 2, b: 'x' });
    off();
    store.set({ a: 3 });
    expect(seen).toHaveLength(1);
  });
});

describe('selection', () => {
  const runs = [run('c', 30), run('b', 20), run('a', 10)];

  it('selects the newest runs', () => {
    expect([...newestRuns(runs, 2)]).toEqual(['c', 'b']);
  });

  it('follows new runs until the user picks', () => {
    const sel = reconcileSelection(new Set(['c', 'b']), [run('d', 40), ...runs], false, 2);
    expect([...sel].sort()).toEqual(['c', 'd']);
  });

  it('keeps a pinned selection and drops vanished runs', () => {
    const pinned = new Set(['a', 'zz']);
    expect([...reconcileSelection(pinned, runs, true, 2)]).toEqual(['a']);
    const same = new Set(['a']);
    expect(reconcileSelection(same, runs, true, 2)).toBe(same);
  });
});
