/** Client types and calls for the model-insight routes (docs/http-api.md). */
import type { ApiClient } from '../../api';

export interface SummaryRow {
  name: string;
  type: string;
  depth: number;
  input_shapes: number[][];
  output_shapes: number[][];
  params: number;
  trainable: number;
  flops: number;
  activation_bytes: number;
  calls: number;
  leaf: boolean;
}

export interface ModelSummary {
  model: string;
  rows: SummaryRow[];
  total_params: number;
  trainable_params: number;
  total_flops: number;
  activation_bytes: number;
  param_bytes: number;
  input_shapes: number[][];
}

export interface GraphNode {
  id: string;
  label: string;
  op: string;
  type: string;
  module: string;
  path?: string;
  shape: number[] | null;
  params: number;
  flops: number;
}

export interface GraphEdge {
  source: string;
  target: string;
  shape: number[] | null;
}

export interface ModelGraph {
  method: 'fx' | 'hooks' | 'none';
  error: string | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  modules: { path: string; type: string; params: number; flops?: number }[];
}

export interface Histograms {
  model: string;
  which: 'weights' | 'gradients';
  layer: string;
  layers: string[];
  steps: number[];
  lo: number;
  hi: number;
  density: (number | null)[][];
  percentiles: number[];
  bands: (number | null)[][];
}

export interface GradientFlow {
  model: string;
  step: number;
  steps: number[];
  layers: string[];
  mean_abs: (number | null)[];
  max_abs: (number | null)[];
  norm: (number | null)[];
  update: (number | null)[];
  total: { steps: number[]; norm: (number | null)[] };
  zones: { vanishing: number; exploding: number };
}

export interface Activations {
  model: string;
  steps: number[];
  layers: string[];
  types: string[];
  columns: string[];
  stats: Record<string, (number | null)[][]>;
}

export interface DiagEvent {
  kind: string;
  step: number | null;
  severity: 'error' | 'warning' | 'info';
  message: string;
  where: string | null;
  wall: number;
}

export interface RunDiagnostics {
  run: string;
  counts: Record<string, number>;
  events: DiagEvent[];
  error?: string;
}

export const insightApi = (api: ApiClient) => ({
  watched: async (run: string) => (await api.getJson<{ models: string[] }>('watch/models', { run })).models,
  summaries: (run: string) => api.getJson<{ models: { name: string; step: number | null; summary: ModelSummary }[] }>('model/summary', { run }),
  graph: (run: string, model?: string) => api.getJson<{ model: string; models: string[]; graph: ModelGraph }>('model/graph', { run, model }),
  histograms: (run: string, model: string | undefined, which: string, layer?: string) =>
    api.getJson<Histograms>('histograms', { run, model, which, layer }),
  gradientFlow: (run: string, model?: string, step?: number) => api.getJson<GradientFlow>('gradient-flow', { run, model, step }),
  activations: (run: string, model?: string) => api.getJson<Activations>('activations', { run, model }),
  diagnostics: async (runs: readonly string[]) =>
    (await api.getJson<{ runs: RunDiagnostics[] }>('diagnostics', { runs: runs.join(',') })).runs,
});
