import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFS, parsePrefs } from './prefs';

describe('parsePrefs', () => {
  it('defaults when nothing is stored or it is not JSON', () => {
    expect(parsePrefs(null)).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{oops')).toEqual(DEFAULT_PREFS);
  });
  it('keeps valid values and drops malformed ones', () => {
    expect(parsePrefs('{"xAxis":"wall","smoothing":0.9,"logScale":true}')).toEqual({ xAxis: 'wall', smoothing: 0.9, logScale: true });
    expect(parsePrefs('{"xAxis":"epoch","smoothing":2,"logScale":"yes"}')).toEqual(DEFAULT_PREFS);
  });
});
