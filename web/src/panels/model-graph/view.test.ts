import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../insight/api';
import { buildView, layout, prefixes } from './view';

const G: ModelGraph = {
  method: 'fx',
  error: null,
  nodes: [
    { id: 'x', label: 'x', op: 'input', type: 'input', module: '', path: '', shape: [1, 4], params: 0, flops: 0 },
    { id: 'a_0_c', label: 'c', op: 'module', type: 'Linear', module: 'a.0', path: 'a.0.c', shape: [1, 4], params: 20, flops: 32 },
    { id: 'add', label: 'add', op: 'function', type: 'add', module: 'a.0', path: '', shape: [1, 4], params: 0, flops: 0 },
    { id: 'b', label: 'b', op: 'module', type: 'Linear', module: '', path: 'b', shape: [1, 2], params: 10, flops: 16 },
    { id: 'output', label: 'output', op: 'output', type: 'output', module: '', path: '', shape: [1, 2], params: 0, flops: 0 },
  ],
  edges: [
    { source: 'x', target: 'a_0_c', shape: [1, 4] },
    { source: 'a_0_c', target: 'add', shape: [1, 4] },
    { source: 'x', target: 'add', shape: [1, 4] },
    { source: 'add', target: 'b', shape: [1, 4] },
    { source: 'b', target: 'output', shape: [1, 2] },
  ],
  modules: [{ path: 'a', type: 'Sequential', params: 20, flops: 32 }, { path: 'a.0', type: 'Block', params: 20, flops: 32 }],
};

describe('model graph view', () => {
  it('folds containers that are not expanded', () => {
    const v = buildView(G, new Set());
    expect(v.nodes.map((n) => n.id)).toEqual(['x', 'group:a', 'b', 'output']);
    expect(v.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['x>group:a', 'group:a>b', 'b>output']);
    expect(v.nodes[1]!.members).toBe(2);
  });

  it('expands level by level into clusters', () => {
    const one = buildView(G, new Set(['a']));
    expect(one.nodes.map((n) => n.id)).toContain('group:a.0');
    expect([...one.clusters]).toEqual([['a', null]]);
    const all = buildView(G, new Set(['a', 'a.0']));
    expect(all.nodes.map((n) => n.id)).toEqual(['x', 'a_0_c', 'add', 'b', 'output']);
    expect(all.clusters.get('a.0')).toBe('a');
  });

  it('lays out top to bottom with every node placed', () => {
    const p = layout(buildView(G, new Set(['a', 'a.0'])));
    expect(p.nodes.size).toBe(5);
    expect(p.nodes.get('output')!.y).toBeGreaterThan(p.nodes.get('x')!.y);
    expect(p.clusters.has('a.0')).toBe(true);
    expect(p.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('splits module paths', () => {
    expect(prefixes('layer1.0.conv1')).toEqual(['layer1', 'layer1.0', 'layer1.0.conv1']);
    expect(prefixes('')).toEqual([]);
  });
});
