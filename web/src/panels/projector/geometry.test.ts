import { describe, expect, it } from 'vitest';
import { boxPolygon, DEFAULT_CAMERA, inPolygon, lassoSelect, matrix, nearest, normalize, toScreen } from './geometry';
import { categoryColor, pointColors, pointSize, rampColor } from './colors';

describe('geometry', () => {
  it('normalizes into the unit square keeping the aspect ratio', () => {
    const xyz = normalize(new Float32Array([0, 0, 10, 2, NaN, 1]), 3, 2);
    expect(Array.from(xyz.slice(0, 6)).map((v) => Math.round(v * 100) / 100)).toEqual([-1, -0.2, 0, 1, 0.2, 0]);
    expect(xyz[6]).toBe(0);
  });

  it('projects the centre to the middle of the canvas', () => {
    const m = matrix({ ...DEFAULT_CAMERA, zoom: 1 }, 200, 100);
    const s = toScreen(new Float32Array([0, 0, 0, 1, 1, 0]), m, 200, 100);
    expect(Array.from(s)).toEqual([100, 50, 150, 0]);
  });

  it('finds the nearest point within a radius', () => {
    const s = new Float32Array([0, 0, 10, 10, 12, 12]);
    expect(nearest(s, 11.5, 11.5, 5)).toBe(2);
    expect(nearest(s, 50, 50, 5)).toBe(-1);
    expect(nearest(s, 11.5, 11.5, 5, new Uint8Array([1, 1, 0]))).toBe(1);
  });

  it('selects inside a lasso and a box', () => {
    const s = new Float32Array([5, 5, 15, 5, 5, 15, 50, 50]);
    const tri: [number, number][] = [[0, 0], [30, 0], [0, 30]];
    expect(inPolygon(tri, 5, 5)).toBe(true);
    expect(lassoSelect(s, tri)).toEqual([0, 1, 2]);
    expect(lassoSelect(s, boxPolygon([40, 40], [60, 60]))).toEqual([3]);
    expect(lassoSelect(s, [[0, 0], [1, 1]])).toEqual([]);
  });
});

describe('colors', () => {
  it('colours categories, numbers and dims unselected points', () => {
    const c = pointColors({ kind: 'category', codes: new Int32Array([0, -1]) }, new Uint8Array([1, 0]));
    expect(Array.from(c.slice(0, 3))).toEqual([0x4e, 0x79, 0xa7]);
    expect(c[3]).toBe(220);
    expect(c[7]).toBeLessThan(50);
    expect(categoryColor(-1)).toBe('#9aa1ab');
    expect(rampColor(0)).toEqual([0x44, 0x01, 0x54]);
    expect(rampColor(1)).toEqual([0xfd, 0xe7, 0x25]);
    const num = pointColors({ kind: 'number', values: new Float32Array([0, 1]), range: [0, 1] }, null);
    expect(num[4]).toBe(0xfd);
    expect(pointSize(1_000_000)).toBeLessThan(pointSize(1_000));
  });
});
