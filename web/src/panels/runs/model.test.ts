import { describe, expect, it } from 'vitest';
import type { Run } from '../../api';
import { compareValues, filterRuns, flatten, nextSort, runColumns, runDuration, sortRuns } from './model';

function run(p: Partial<Run> & { id: string }): Run {
  return {
    project: 'mnist', name: p.id, status: 'finished', started: 1000, ended: 1100, heartbeat: 1100,
    config: {}, summary: {}, keys: 1, points: 10, error: null, ...p,
  };
}

const runs = [
  run({ id: 'a1', name: 'brisk-otter-1', config: { lr: 0.001, optim: { name: 'adam', beta: 0.9 } }, summary: { acc: 0.98 } }),
  run({ id: 'b2', name: 'calm-lynx-2', project: 'cifar', config: { lr: 0.1, epochs: 3 }, summary: {} }),
  run({ id: 'c3', name: 'run-10', status: 'running', started: 2000, ended: null, config: { lr: 0.01 } }),
  run({ id: 'd4', name: 'run-2', status: 'crashed', started: 1500, ended: null, heartbeat: 1560 }),
];

describe('flatten', () => {
  it('joins nested keys with dots and keeps lists', () => {
    expect(flatten({ a: 1, b: { c: 2, d: { e: [1, 2] } }, empty: {} }, 'config')).toEqual({
      'config.a': 1, 'config.b.c': 2, 'config.b.d.e': [1, 2], 'config.empty': {},
    });
  });
});

describe('runColumns', () => {
  it('lists fixed, then config, then summary keys', () => {
    expect(runColumns(runs).map((c) => c.key)).toEqual([
      'name', 'project', 'status', 'started', 'duration',
      'config.epochs', 'config.lr', 'config.optim.beta', 'config.optim.name', 'summary.acc',
    ]);
  });
});

describe('runDuration', () => {
  it('uses end, heartbeat or now', () => {
    expect(runDuration(runs[0] as Run, 9999)).toBe(100);
    expect(runDuration(runs[2] as Run, 2030)).toBe(30);
    expect(runDuration(runs[3] as Run, 9999)).toBe(60);
  });
});

describe('filterRuns', () => {
  const ids = (q: string): string[] => filterRuns(runs, q).map((r) => r.id);
  it('matches name, project, id and config values, case-insensitively', () => {
    expect(ids('')).toEqual(['a1', 'b2', 'c3', 'd4']);
    expect(ids('OTTER')).toEqual(['a1']);
    expect(ids('cifar')).toEqual(['b2']);
    expect(ids('c3')).toEqual(['c3']);
    expect(ids('adam')).toEqual(['a1']);
    expect(ids('0.0')).toEqual(['a1', 'c3']);
  });
  it('requires every word', () => {
    expect(ids('mnist running')).toEqual(['c3']);
    expect(ids('mnist zebra')).toEqual([]);
  });
});

describe('sorting', () => {
  it('sorts text naturally and numbers numerically', () => {
    expect(compareValues('run-2', 'run-10')).toBeLessThan(0);
    expect(compareValues(0.1, 0.01)).toBeGreaterThan(0);
    const byName = sortRuns(runs, { key: 'name', dir: 'asc' }, 0).map((r) => r.name);
    expect(byName).toEqual(['brisk-otter-1', 'calm-lynx-2', 'run-2', 'run-10']);
  });
  it('keeps missing values last in both directions', () => {
    expect(sortRuns(runs, { key: 'summary.acc', dir: 'asc' }, 0)[0]?.id).toBe('a1');
    expect(sortRuns(runs, { key: 'config.lr', dir: 'desc' }, 0).map((r) => r.id)).toEqual(['b2', 'c3', 'a1', 'd4']);
    expect(sortRuns(runs, { key: 'config.lr', dir: 'asc' }, 0).map((r) => r.id)).toEqual(['a1', 'c3', 'b2', 'd4']);
  });
  it('cycles header clicks', () => {
    expect(nextSort(null, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(nextSort({ key: 'name', dir: 'desc' }, 'name')).toBeNull();
    expect(nextSort({ key: 'name', dir: 'asc' }, 'config.lr')).toEqual({ key: 'config.lr', dir: 'desc' });
  });
});
