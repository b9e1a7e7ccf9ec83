/**
 * The visible graph for a set of expanded containers (pure), and its layered layout with dagre.
 * A node whose container chain has a folded member is drawn as that (shallowest) container's
 * box; expanded containers become clusters around their contents.
 */
import dagre from '@dagrejs/dagre';
import type { GraphNode, ModelGraph } from '../insight/api';

export interface ViewNode {
  id: string;
  label: string;
  sub: string;
  kind: 'input' | 'output' | 'module' | 'function' | 'group';
  /** The dotted module path it stands for ('' for functions at the top level). */
  path: string;
  parent: string | null;
  shape: number[] | null;
  params: number;
  flops: number;
  members: number;
}

export interface ViewEdge {
  source: string;
  target: string;
  shape: number[] | null;
}

export interface View {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Expanded containers that hold visible nodes: path → parent cluster. */
  clusters: Map<string, string | null>;
}

export function prefixes(module: string): string[] {
  if (!module) return [];
  const parts = module.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

export function buildView(g: ModelGraph, expanded: ReadonlySet<string>): View {
  const containers = new Map(g.modules.map((m) => [m.path, m]));
  const id = new Map<string, string>();
  const nodes = new Map<string, ViewNode>();
  const clusters = new Map<string, string | null>();
  const addCluster = (path: string): void => {
    const chain = prefixes(path).filter((p) => containers.has(p));
    let parent: string | null = null;
    for (const p of chain) {
      if (!clusters.has(p)) clusters.set(p, parent);
      parent = p;
    }
  };
  for (const n of g.nodes) {
    const chain = prefixes(n.module).filter((p) => containers.has(p));
    const folded = chain.find((p) => !expanded.has(p));
    if (folded !== undefined) {
      const gid = `group:${folded}`;
      id.set(n.id, gid);
      const existing = nodes.get(gid);
      if (existing) {
        existing.members++;
        existing.shape = n.shape ?? existing.shape;
        continue;
      }
      const m = containers.get(folded)!;
      const parent = chain[chain.indexOf(folded) - 1] ?? null;
      if (parent) addCluster(parent);
      nodes.set(gid, { id: gid, label: folded.split('.').pop()!, sub: m.type, kind: 'group', path: folded, parent, shape: n.shape, params: m.params, flops: m.flops ?? 0, members: 1 });
      continue;
    }
    id.set(n.id, n.id);
    const parent = chain.length ? chain[chain.length - 1]! : null;
    if (parent) addCluster(parent);
    nodes.set(n.id, nodeOf(n, parent));
  }
  const edges: ViewEdge[] = [];
  const seen = new Set<string>();
  for (const e of g.edges) {
    const s = id.get(e.source);
    const t = id.get(e.target);
    if (!s || !t || s === t) continue;
    const key = `${s}\u0000${t}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ source: s, target: t, shape: e.shape });
  }
  return { nodes: [...nodes.values()], edges, clusters };
}

function nodeOf(n: GraphNode, parent: string | null): ViewNode {
  const kind = n.op === 'input' || n.op === 'output' ? n.op : n.op === 'module' ? 'module' : 'function';
  return {
    id: n.id,
    label: n.label,
    sub: n.op === 'input' || n.op === 'output' ? '' : n.type,
    kind: kind as ViewNode['kind'],
    path: n.path || n.module,
    parent,
    shape: n.shape,
    params: n.params,
    flops: n.flops,
    members: 1,
  };
}

export interface Placed {
  nodes: Map<string, { x: number; y: number; w: number; h: number }>;
  clusters: Map<string, { x: number; y: number; w: number; h: number }>;
  edges: { source: string; target: string; shape: number[] | null; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

export const NODE_H = 38;

export function nodeWidth(n: ViewNode): number {
  return Math.max(72, Math.min(220, 12 + 7 * Math.max(n.label.length, n.sub.length)));
}

/** Top-to-bottom layered layout (dagre, network simplex); clusters are compound parents. */
export function layout(view: View): Placed {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const [path] of view.clusters) g.setNode(`cluster:${path}`, { label: path, paddingTop: 22 });
  for (const [path, parent] of view.clusters) if (parent) g.setParent(`cluster:${path}`, `cluster:${parent}`);
  for (const n of view.nodes) {
    g.setNode(n.id, { width: nodeWidth(n), height: NODE_H });
    if (n.parent && view.clusters.has(n.parent)) g.setParent(n.id, `cluster:${n.parent}`);
  }
  for (const e of view.edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const nodes = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const n of view.nodes) {
    const p = g.node(n.id);
    nodes.set(n.id, { x: p.x, y: p.y, w: p.width, h: p.height });
  }
  const clusters = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const [path] of view.clusters) {
    const p = g.node(`cluster:${path}`);
    if (p && Number.isFinite(p.x)) clusters.set(path, { x: p.x, y: p.y, w: p.width, h: p.height });
  }
  const edges = view.edges.map((e) => ({ ...e, points: (g.edge(e.source, e.target)?.points ?? []) as { x: number; y: number }[] }));
  const gg = g.graph();
  return { nodes, clusters, edges, width: gg.width ?? 0, height: gg.height ?? 0 };
}
