import { describe, expect, it } from 'vitest';
import { className, diffLevel, formatDiff, samplingNote, shapeText, type SplitView } from './model';

describe('data panel model', () => {
  it('formats share differences in percentage points', () => {
    expect(formatDiff(0.032, false)).toBe('+3.2 pp');
    expect(formatDiff(-0.01, false)).toBe('−1.0 pp');
    expect(formatDiff(0.0001, false)).toBe('±0 pp');
    expect(formatDiff(0.5, true)).toBe('');
    expect(diffLevel(0.06)).toBe('major');
    expect(diffLevel(-0.03)).toBe('minor');
    expect(diffLevel(0.001)).toBe('none');
  });

  it('states the sampling', () => {
    const s = { split: 'test', n_analysed: 10000, n_total: 60000, sampled: true, counts_from: 'all' } as SplitView;
    expect(samplingNote(s)).toBe('test: statistics from a random 10,000 of 60,000 samples; class counts cover every sample');
    expect(samplingNote({ ...s, sampled: false, n_total: 50 })).toBe('test: all 50 samples analysed');
  });

  it('names classes and shapes', () => {
    expect(className(['cat'], 0)).toBe('cat');
    expect(className(['cat'], 3)).toBe('3');
    expect(shapeText([1, 28, 28], 'image')).toBe('1×28×28');
    expect(shapeText([1, 1, 64], 'vector')).toBe('64');
  });
});
