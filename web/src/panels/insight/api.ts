/** Client types and calls for the model-insight routes (docs/http-api.md). */
import type { ApiClient, Schemas } from '../../api';

export type SummaryRow = Schemas['ModuleRowOut'];
export type ModelSummary = Schemas['ModelSummaryOut'];
export type GraphNode = Schemas['NodeOut'];
export type GraphEdge = Schemas['EdgeOut'];
export type ModelGraph = Schemas['GraphBody'];
export type Histograms = Schemas['HistogramsOut'];
export type GradientFlow = Schemas['GradientFlowOut'];
export type Activations = Schemas['ActivationsOut'];
export type DiagEvent = Schemas['EventOut'];
export type RunDiagnostics = Schemas['RunDiagnostics'];

export const insightApi = (api: ApiClient) => ({
  watched: async (run: string) => (await api.getJson('watch/models', { run })).models,
  summaries: (run: string) => api.getJson('model/summary', { run }),
  graph: (run: string, model?: string) => api.getJson('model/graph', { run, model }),
  histograms: (run: string, model: string | undefined, which: string, layer?: string) =>
    api.getJson('histograms', { run, model, which, layer }),
  gradientFlow: (run: string, model?: string, step?: number) => api.getJson('gradient-flow', { run, model, step }),
  activations: (run: string, model?: string) => api.getJson('activations', { run, model }),
  diagnostics: async (runs: readonly string[]) =>
    (await api.getJson('diagnostics', { runs: runs.join(',') })).runs,
});
