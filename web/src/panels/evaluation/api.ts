/** Client of the evaluation routes (`/api/v1/predictions/*`), with a small cache: stored predictions never change. */
import { ApiError, type ApiClient } from '../../api';

export interface SplitInfo {
  split: string;
  steps: number[];
  num_classes: number;
  class_names: string[];
  has_inputs: boolean;
}

export interface RunPredictions {
  run: string;
  splits: SplitInfo[];
  checkpoint: boolean;
}

export interface ClassRow {
  class: number;
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

export interface RocCurve {
  class: number;
  name: string;
  auc: number | null;
  fpr: number[];
  tpr: number[];
}

export interface PrCurve {
  class: number;
  name: string;
  ap: number | null;
  precision: number[];
  recall: number[];
  thresholds: number[];
}

export interface Summary {
  run: string;
  split: string;
  step: number;
  n: number;
  class_names: string[];
  accuracy: number;
  top5: number | null;
  loss: number;
  confusion: number[][];
  metrics: { classes: ClassRow[]; macro: Averages; weighted: Averages };
  roc: RocCurve[];
  pr: PrCurve[];
  reliability: { edges: number[]; count: number[]; confidence: (number | null)[]; accuracy: (number | null)[]; ece: number };
}

export interface Example {
  index: number;
  id: string;
  target: number;
  predicted: number;
  confidence: number;
  prob_true: number;
  loss: number;
}

export interface Examples {
  run: string;
  split: string;
  step: number;
  total: number;
  class_names: string[];
  has_inputs: boolean;
  examples: Example[];
}

export interface Suspect {
  index: number;
  id: string;
  target: number;
  predicted: number;
  score: number;
  confidence: number;
  reason: string;
}

export interface Dynamics {
  run: string;
  split: string;
  steps: number[];
  class_names: string[];
  has_inputs: boolean;
  ids: string[];
  target: number[];
  confidence: number[];
  variability: number[];
  correct: number[];
  forgetting: number[];
  aum: number[];
  region: string[];
  suspects: Suspect[];
}

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
    return this.api.getJson<{ runs: RunPredictions[] }>('predictions/index').then((r) => r.runs);
  }

  summary(run: string, split: string, step: number | null): Promise<Summary> {
    const params = { run, split, step: opt(step) };
    return cached(`s|${run}|${split}|${step}`, () => this.api.getJson<Summary>('predictions/summary', params));
  }

  examples(q: ExampleQuery): Promise<Examples> {
    const params = { run: q.run, split: q.split, step: opt(q.step), target: opt(q.target), predicted: opt(q.predicted), limit: q.limit ?? 48 };
    return cached(`e|${JSON.stringify(params)}`, () => this.api.getJson<Examples>('predictions/examples', params));
  }

  dynamics(run: string, split: string, steps: number): Promise<Dynamics> {
    return cached(`d|${run}|${split}|${steps}`, () => this.api.getJson<Dynamics>('predictions/dynamics', { run, split }));
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
      await this.api.getJson<unknown>('predictions/attribution', { run, split, id, method });
    } catch (err) {
      if (err instanceof ApiError) return err.message;
    }
    return 'the image could not be shown';
  }
}
