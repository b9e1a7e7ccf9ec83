/**
 * Debiased exponential moving average over the server's buckets, as TensorBoard smooths.
 *
 * A bucket of `count` finite values with mean `m` decays the running average by `w ** count`
 * and pulls it towards `m` by the rest: the same result as feeding its values one by one when
 * they are all equal to the mean, and exactly the point-by-point EMA when every count is 1.
 * Because buckets, not drawn points, are smoothed, a curve looks the same at every zoom level.
 */
export function smoothBuckets(
  mean: readonly (number | null)[],
  count: readonly number[],
  weight: number,
): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999999);
  const out: (number | null)[] = new Array<number | null>(mean.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < mean.length; i++) {
    const m = mean[i];
    const c = count[i] ?? 0;
    if (m === null || m === undefined || !Number.isFinite(m) || c <= 0) {
      out[i] = null;
      continue;
    }
    const decay = w ** c;
    last = last * decay + (1 - decay) * m;
    debias = debias * decay + (1 - decay);
    out[i] = last / debias;
  }
  return out;
}
