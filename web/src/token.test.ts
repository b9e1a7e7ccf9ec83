import { describe, expect, it } from 'vitest';
import { resolveToken } from './token';

function memoryStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void; data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('resolveToken', () => {
  it('takes the token from the query, stores it and strips it from the URL', () => {
    const s = memoryStorage();
    const r = resolveToken('http://h:6006/?token=T0k&x=1#frag', s);
    expect(r.token).toBe('T0k');
    expect(r.cleanHref).toBe('http://h:6006/?x=1#frag');
    expect(resolveToken('http://h:6006/', s).token).toBe('T0k');
  });

  it('returns null when there is none', () => {
    expect(resolveToken('http://h:6006/', memoryStorage()).token).toBeNull();
    expect(resolveToken('http://h:6006/', null).token).toBeNull();
  });
});
