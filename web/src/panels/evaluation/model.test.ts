import { describe, expect, it } from 'vitest';
import { pct, polyline, rowRates, sortRows, stepAtOrBefore } from './model';

describe('evaluation helpers', () => {
  it('picks the step at or before', () => {
    expect(stepAtOrBefore([10, 20, 30], null)).toBe(30);
    expect(stepAtOrBefore([10, 20, 30], 25)).toBe(20);
    expect(stepAtOrBefore([10, 20, 30], 5)).toBe(10);
    expect(stepAtOrBefore([], 5)).toBeNull();
  });
  it('normalizes rows', () => {
    expect(rowRates([[1, 3], [0, 0]])).toEqual([[0.25, 0.75], [0, 0]]);
  });
  it('sorts rows with stable ties', () => {
    const rows = [
      { class: 0, name: 'b', precision: 0.5, recall: 1, f1: 0.6, support: 3 },
      { class: 1, name: 'a', precision: 0.9, recall: 1, f1: 0.9, support: 3 },
      { class: 2, name: 'c', precision: 0.5, recall: 0, f1: 0, support: 1 },
    ];
    expect(sortRows(rows, 'precision', true).map((r) => r.class)).toEqual([1, 0, 2]);
    expect(sortRows(rows, 'name', false).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'recall', false).map((r) => r.class)).toEqual([2, 0, 1]);
  });
  it('formats and draws', () => {
    expect(pct(0.9234)).toBe('92.3%');
    expect(pct(null)).toBe('–');
    expect(polyline([0, 1], [0, 1], 100, 50)).toBe('0.0,50.0 100.0,0.0');
  });
});
