import { describe, expect, it } from 'vitest';
import type { Series } from '../api';
import { alignLines, lastX, nearestIndex, nonFiniteNear, placeMarkers, prepareRun, type RunLine } from './chart-data';

const series: Series = {
  run: 'a', n: 6, exact: true,
  x: [100, 101, 102, 103, 105], y: [2, 1, 0, -1, 0.5],
  buckets: { x: [100, 102, 105], mean: [1.5, -0.5, 0.5], count: [2, 2, 1] },
  nonfinite: [{ x: 104, nan: 1, posinf: 0, neginf: 2 }],
};
const meta = { id: 'a', label: 'run a', color: '#4269d0' };

function line(p: Partial<RunLine>): RunLine {
  return { id: 'r', label: 'r', color: '#000000', x: [], y: [], sx: [], sy: [], nonfinite: [], ...p };
}

describe('prepareRun', () => {
  it('shifts x by the offset for relative time', () => {
    const l = prepareRun(series, meta, { offset: 100, smoothing: 0.5, logY: false });
    expect(l.x).toEqual([0, 1, 2, 3, 5]);
    expect(l.sx).toEqual([0, 2, 5]);
    expect(l.nonfinite[0]?.x).toBe(4);
  });
  it('leaves out the smoothed line when smoothing is 0', () => {
    const l = prepareRun(series, meta, { offset: 0, smoothing: 0, logY: false });
    expect(l.sx).toEqual([]);
    expect(l.sy).toEqual([]);
  });
  it('turns non-positive values into gaps on a log axis', () => {
    const l = prepareRun(series, meta, { offset: 0, smoothing: 0, logY: true });
    expect(l.y).toEqual([2, 1, null, null, 0.5]);
  });
});

describe('alignLines', () => {
  it('joins lines on one x array with undefined for missing x', () => {
    const { data, columns } = alignLines([
      line({ x: [0, 2, 4], y: [1, null, 3] }),
      line({ x: [1, 2], y: [5, 6], sx: [0, 2], sy: [5.5, 5.8] }),
    ]);
    expect(data[0]).toEqual([0, 1, 2, 4]);
    expect(data[1]).toEqual([1, undefined, null, 3]);
    expect(data[2]).toEqual([undefined, 5, 6, undefined]);
    expect(data[3]).toEqual([5.5, undefined, 5.8, undefined]);
    expect(columns).toEqual([{ run: 0, kind: 'raw' }, { run: 1, kind: 'raw' }, { run: 1, kind: 'smooth' }]);
  });
});

describe('lastX and nearestIndex', () => {
  it('finds the largest x, non-finite points included', () => {
    expect(lastX([line({ x: [1, 7] }), line({ x: [3], nonfinite: [{ x: 9, nan: 1, posinf: 0, neginf: 0 }] })])).toBe(9);
    expect(lastX([line({})])).toBeNull();
  });
  it('finds the nearest x', () => {
    expect(nearestIndex([0, 10, 20], 4)).toBe(0);
    expect(nearestIndex([0, 10, 20], 6)).toBe(1);
    expect(nearestIndex([0, 10, 20], 99)).toBe(2);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('non-finite markers', () => {
  const lines = [
    line({ nonfinite: [{ x: 10, nan: 2, posinf: 1, neginf: 0 }, { x: 50, nan: 0, posinf: 0, neginf: 4 }] }),
    line({ nonfinite: [{ x: 500, nan: 1, posinf: 0, neginf: 0 }] }),
  ];
  it('puts NaN and +Inf at the top, -Inf at the bottom, inside the plot only', () => {
    const m = placeMarkers(lines, (x) => x * 2, 0, 200);
    expect(m).toEqual([
      { px: 20, side: 'top', run: 0, count: 3 },
      { px: 100, side: 'bottom', run: 0, count: 4 },
    ]);
  });
  it('counts the values near the cursor per run', () => {
    const near = nonFiniteNear(lines, 12, 5);
    expect([...near]).toEqual([[0, { nan: 2, posinf: 1, neginf: 0 }]]);
    expect(nonFiniteNear(lines, 300, 5).size).toBe(0);
  });
});
