import { describe, expect, it } from 'vitest';
import { formatAxisDuration, formatCompact, formatCount, formatDuration, formatNumber, formatValue, formatWallTick } from './format';

describe('formatNumber', () => {
  it.each([
    [null, '–'],
    [0, '0'],
    [42, '42'],
    [0.98, '0.98'],
    [2.3125678, '2.3126'],
    [12345.678, '12346'],
    [0.000123, '1.23e-4'],
    [-0.5, '-0.5'],
    [1.5e7, '1.5e7'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ] as Array<[number | null, string]>)('%s → %s', (v, s) => {
    expect(formatNumber(v)).toBe(s);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '–'],
    [0, '0s'],
    [2.5, '2.5s'],
    [45, '45s'],
    [185, '3m 05s'],
    [7380, '2h 03m'],
    [3 * 86400 + 4 * 3600 + 59, '3d 4h'],
  ] as Array<[number | null, string]>)('%s → %s', (v, s) => {
    expect(formatDuration(v)).toBe(s);
  });
});

describe('formatAxisDuration', () => {
  it('uses the two leading units', () => {
    expect(formatAxisDuration(0)).toBe('0');
    expect(formatAxisDuration(30)).toBe('30s');
    expect(formatAxisDuration(90)).toBe('1m30s');
    expect(formatAxisDuration(7200)).toBe('2h');
    expect(formatAxisDuration(86400 + 6 * 3600 + 5)).toBe('1d6h');
    expect(formatAxisDuration(0.25)).toBe('0.25s');
  });
});

describe('formatCount and formatValue', () => {
  it('formats counts and table values', () => {
    expect(formatCount(12000)).toBe('12,000');
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue(true)).toBe('true');
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatValue(0.001)).toBe('0.001');
    expect(formatValue(undefined)).toBe('–');
  });
});

describe('formatCompact', () => {
  it('abbreviates large ticks', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(12000)).toBe('12k');
    expect(formatCompact(12500)).toBe('12.5k');
    expect(formatCompact(1500000)).toBe('1.5M');
    expect(formatCompact(0.25)).toBe('0.25');
  });
});

describe('formatWallTick', () => {
  const t = new Date(2026, 10, 26, 21, 5, 9).getTime() / 1000;
  it('shows seconds, minutes or the date as the span needs', () => {
    expect(formatWallTick(t, 120)).toBe('21:05:09');
    expect(formatWallTick(t, 7200)).toBe('21:05');
    expect(formatWallTick(t, 3 * 86400)).toBe('11-26 21:05');
  });
});
