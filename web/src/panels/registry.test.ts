import { describe, expect, it } from 'vitest';
import { panelOf } from './index';

const mount = (): { destroy(): void } => ({ destroy() {} });

describe('panel registry', () => {
  it('takes the one Panel a folder exports', () => {
    const found = { './a/index.ts': { aPanel: { name: 'a', title: 'A', mount }, helper: 3 } };
    expect(panelOf('a', found).name).toBe('a');
  });

  it('names a listed folder that is missing or exports no single Panel', () => {
    expect(() => panelOf('gone', {})).toThrow(/panels\/gone\/index.ts does not exist/);
    expect(() => panelOf('b', { './b/index.ts': { x: 1 } })).toThrow(/exactly one Panel, found 0/);
    const two = { './c/index.ts': { p: { name: 'p', title: '', mount }, q: { name: 'q', title: '', mount } } };
    expect(() => panelOf('c', two)).toThrow(/found 2/);
  });
});
