/** The projector's routes (docs/http-api.md, "Projector"); coordinates and columns are binary. */
import type { ApiClient, RouteBody, Schemas } from '../../api';
import { ApiError } from '../../api';

export type ColumnInfo = Schemas['ColumnRef'];
export type EmbeddingInfo = Schemas['InfoOut'];
/** A column to colour by: its categories, or its number range. */
export type ColumnDesc = RouteBody<'projector/column'>;
export type PointInfo = Schemas['PointOut'];
/** A t-SNE/UMAP job's progress: what `projector/projection` answers with 202 while it computes. */
export type JobState = Schemas['JobOut'];

export type Params = Record<string, string | number | undefined>;

export interface Where {
  run: string;
  tag: string;
  step: number | null;
}

export class ProjectorApi {
  constructor(private readonly api: ApiClient) {}

  private where(w: Where, extra: Params = {}): Params {
    return { run: w.run, tag: w.tag, step: w.step ?? undefined, ...extra };
  }

  tags(runs: readonly string[]): Promise<RouteBody<'projector/tags'>> {
    return this.api.getJson('projector/tags', { runs: runs.join(',') });
  }

  info(w: Where): Promise<EmbeddingInfo> {
    return this.api.getJson('projector/info', this.where(w));
  }

  /** Coordinates when ready, or the job's state while t-SNE/UMAP are computing. */
  async projection(w: Where, method: string, dims: number, signal?: AbortSignal): Promise<Float32Array | JobState> {
    const res = await this.fetch('projector/projection', this.where(w, { method, dims }), signal);
    if (res.status === 202) return (await res.json()) as JobState;
    return new Float32Array(await res.arrayBuffer());
  }

  column(w: Where, name: string): Promise<ColumnDesc> {
    return this.api.getJson('projector/column', this.where(w, { name }));
  }

  async columnValues(w: Where, desc: ColumnDesc, signal?: AbortSignal): Promise<Int32Array | Float32Array> {
    const buf = await (await this.fetch('projector/column.bin', this.where(w, { name: desc.name }), signal)).arrayBuffer();
    return desc.kind === 'category' ? new Int32Array(buf) : new Float32Array(buf);
  }

  point(w: Where, index: number): Promise<PointInfo> {
    return this.api.getJson('projector/point', this.where(w, { index }));
  }

  neighbors(w: Where, index: number, k = 12): Promise<RouteBody<'projector/neighbors'>> {
    return this.api.getJson('projector/neighbors', this.where(w, { index, k }));
  }

  search(w: Where, q: string): Promise<RouteBody<'projector/search'>> {
    return this.api.getJson('projector/search', this.where(w, { q }));
  }

  thumb(w: Where, index: number): string {
    return this.api.href('projector/thumb', this.where(w, { index }));
  }

  private async fetch(path: string, params: Params, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.api.href(path, params), signal ? { signal } : {});
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(`cannot reach the server (${String(err)})`, 0, 'NetworkError', path);
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      let type = 'HTTPError';
      try {
        const body = (await res.json()) as { error?: { type?: string; message?: string } };
        message = body.error?.message ?? message;
        type = body.error?.type ?? type;
      } catch {
        // Not JSON: the status line is the message.
      }
      throw new ApiError(message, res.status, type, path);
    }
    return res;
  }
}
