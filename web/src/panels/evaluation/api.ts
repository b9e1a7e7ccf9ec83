/** Client of the evaluation routes (`/api/v1/predictions/*`), with a small cache: stored predictions never change. */
import { ApiError, type ApiClient, type Schemas } from '../../api';

export type SplitInfo = Schemas['SplitIndex'];
export type RunPredictions = Schemas['RunIndex'];
export type ClassRow = Schemas['ClassMetrics'];
export type Averages = Schemas['Average'];
export type RocCurve = Schemas['Roc'];
export type PrCurve = Schemas['PrCurve'];
export type Summary = Schemas['PredictionSummaryOut'];
export type Example = Schemas['ExampleOut'];
export type Examples = Schemas['ExamplesOut'];
export type Suspect = Schemas['Suspect'];
export type Dynamics = Schemas['DynamicsOut'];

export interface ExampleQuery {
  run: string;
  split: string;
  step: number | null;
  target?: number | null;
  predicted?: number | null;
  limit?: number;
}

export const METHODS = ['gradcam', 'saliency', 'integrated_gradients', 'occlusion'] as const;
export type Method = (typeof METHODS)[number];

const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    if (cache.size > 200) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

const opt = (v: number | null | undefined): number | undefined => (v === null || v === undefined ? undefined : v);

export class EvalApi {
  constructor(private readonly api: ApiClient) {}

  /** Runs with predictions; not cached (new steps arrive while training). */
  index(): Promise<RunPredictions[]> {
    return this.api.getJson('predictions/index').then((r) => r.runs);
  }

  summary(run: string, split: string, step: number | null): Promise<Summary> {
    const params = { run, split, step: opt(step) };
    return cached(`s|${run}|${split}|${step}`, () => this.api.getJson('predictions/summary', params));
  }

  examples(q: ExampleQuery): Promise<Examples> {
    const params = { run: q.run, split: q.split, step: opt(q.step), target: opt(q.target), predicted: opt(q.predicted), limit: q.limit ?? 48 };
    return cached(`e|${JSON.stringify(params)}`, () => this.api.getJson('predictions/examples', params));
  }

  dynamics(run: string, split: string, steps: number): Promise<Dynamics> {
    return cached(`d|${run}|${split}|${steps}`, () => this.api.getJson('predictions/dynamics', { run, split }));
  }

  thumbUrl(run: string, split: string, id: string): string {
    return this.api.href('predictions/thumb', { run, split, id });
  }

  attributionUrl(run: string, split: string, id: string, method: Method): string {
    return this.api.href('predictions/attribution', { run, split, id, method });
  }

  /** Why an attribution map could not be shown (its image failed): the server's own message. */
  async attributionProblem(run: string, split: string, id: string, method: Method): Promise<string> {
    try {
      await this.api.probe('predictions/attribution', { run, split, id, method });
    } catch (err) {
      if (err instanceof ApiError) return err.message;
    }
    return 'the image could not be shown';
  }
}
