import { describe, expect, it } from 'vitest';
import { change, lastValue, linePath, nearestStep, worstFirst, xScale, yScale, type Box, type ClassAccuracy } from './model';

const box: Box = { width: 200, height: 120, left: 40, right: 10, top: 10, bottom: 10 };

describe('class accuracy model', () => {
  it('maps steps and accuracies into the plot box', () => {
    const x = xScale([0, 50, 100], box);
    expect(x(0)).toBe(40);
    expect(x(100)).toBe(190);
    expect(x(50)).toBe(115);
    const y = yScale(box);
    expect(y(1)).toBe(10);
    expect(y(0)).toBe(110);
    expect(y(2)).toBe(10); // clamped
  });

  it('centres a single step', () => {
    expect(xScale([7], box)(7)).toBe(115);
  });

  it('breaks a line where a class had no example', () => {
    const d = linePath([0, 1, 2, 3], [0.5, null, 0.75, 1], box);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.startsWith('M40.0,60.0')).toBe(true);
    expect(linePath([0, 1], [null, null], box)).toBe('');
  });

  it('orders the legend worst first, missing last', () => {
    const d: ClassAccuracy = {
      run: 'r', split: 'test', steps: [1, 2], class_names: ['a', 'b', 'c', 'd'],
      accuracy: [[0.2, 0.9], [0.5, 0.4], [null, null], [0.9, null]], support: [], overall: [0.5, 0.6],
    };
    expect(worstFirst(d)).toEqual([1, 0, 3, 2]); // a and d tie at 0.9: class order
    expect(lastValue([0.9, null])).toBe(0.9);
    expect(change([0.2, null, 0.9])).toBeCloseTo(0.7);
    expect(change([null, 0.3])).toBeNull();
  });

  it('finds the nearest step to a pixel', () => {
    expect(nearestStep([0, 50, 100], box, 120)).toBe(1);
    expect(nearestStep([0, 50, 100], box, 0)).toBe(0);
    expect(nearestStep([], box, 10)).toBe(-1);
  });
});
