import { describe, expect, it } from 'vitest';
import { PALETTE, assignColors, hashString, preferredColor, withAlpha } from './colors';

describe('assignColors', () => {
  it('is a pure function of the ids', () => {
    const a = assignColors(['k3j9x2ab', 'q8r7t6y5', 'zz11yy22']);
    const b = assignColors(['k3j9x2ab', 'q8r7t6y5', 'zz11yy22']);
    expect([...a]).toEqual([...b]);
  });

  it('gives a lone run its preferred colour', () => {
    expect(assignColors(['abc']).get('abc')).toBe(preferredColor('abc'));
  });

  it('keeps older runs colours when a newer run arrives', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `run${i}`);
    const before = assignColors(ids);
    const after = assignColors([...ids, 'newcomer']);
    for (const id of ids) expect(after.get(id)).toBe(before.get(id));
  });

  it('avoids collisions while the palette lasts', () => {
    const ids = Array.from({ length: PALETTE.length }, (_, i) => `r-${i * 7}`);
    const colors = new Set(assignColors(ids).values());
    expect(colors.size).toBe(PALETTE.length);
  });

  it('still colours every run past the palette size', () => {
    const ids = Array.from({ length: PALETTE.length + 5 }, (_, i) => `x${i}`);
    const m = assignColors(ids);
    expect(m.size).toBe(ids.length);
    for (const c of m.values()) expect(PALETTE).toContain(c);
  });
});

describe('helpers', () => {
  it('hashes deterministically', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).not.toBe(hashString('b'));
  });
  it('adds alpha', () => {
    expect(withAlpha('#ff0080', 0.5)).toBe('rgba(255, 0, 128, 0.5)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });
});
