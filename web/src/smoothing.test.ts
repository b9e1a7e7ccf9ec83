import { describe, expect, it } from 'vitest';
import shared from './smoothing.cases.json';
import { smoothBuckets } from './smoothing';

/** TensorBoard's point-by-point debiased EMA, the reference. */
function emaPoints(values: number[], w: number): number[] {
  let last = 0;
  let debias = 0;
  return values.map((v) => {
    last = last * w + (1 - w) * v;
    debias = debias * w + (1 - w);
    return last / debias;
  });
}

describe('smoothBuckets', () => {
  const mean = [2.3, 1.9, 2.1, 1.2, 0.8, 1.1, 0.5];
  const count = [125, 125, 125, 125, 125, 125, 40];

  it('returns the bucket means with w = 0', () => {
    expect(smoothBuckets(mean, count, 0)).toEqual(mean);
  });

  it('debiases: the first value is the first mean', () => {
    for (const w of [0.5, 0.9, 0.99, 0.999]) {
      expect(smoothBuckets(mean, count, w)[0]).toBeCloseTo(mean[0] as number, 12);
    }
  });

  it('equals the point-by-point EMA when every count is 1', () => {
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i / 7) + i / 50);
    for (const w of [0.3, 0.6, 0.95, 0.999]) {
      const got = smoothBuckets(values, values.map(() => 1), w);
      const want = emaPoints(values, w);
      got.forEach((g, i) => expect(g).toBeCloseTo(want[i] as number, 10));
    }
  });

  it('equals the EMA of repeated values when a bucket holds count equal points', () => {
    const w = 0.9;
    const got = smoothBuckets([1, 3], [4, 2], w);
    const want = emaPoints([1, 1, 1, 1, 3, 3], w);
    expect(got[0]).toBeCloseTo(want[3] as number, 12);
    expect(got[1]).toBeCloseTo(want[5] as number, 12);
  });

  it('skips buckets without finite values', () => {
    const got = smoothBuckets([1, null, 3], [1, 0, 1], 0.5);
    expect(got[1]).toBeNull();
    expect(got[2]).toBeCloseTo(emaPoints([1, 3], 0.5)[1] as number, 12);
  });

  it('stays finite at the slider maximum', () => {
    const got = smoothBuckets(mean, count, 0.999);
    for (const v of got) expect(Number.isFinite(v)).toBe(true);
  });
});

// The same cases the Python tests check analyze/smoothing.py against: the two cannot drift apart.
describe('smoothBuckets and Python\'s ema_buckets', () => {
  for (const c of shared.cases) {
    it(`agree on: ${c.name}`, () => {
      const got = smoothBuckets(c.mean, c.count, c.weight);
      expect(got.length).toBe(c.expected.length);
      c.expected.forEach((want, i) => {
        if (want === null) expect(got[i]).toBeNull();
        else expect(got[i]).toBeCloseTo(want, 12);
      });
    });
  }
});
