/**
 * Typed client for the JSON API in docs/http-api.md. Parsing stops here: callers get typed
 * values or an ApiError that carries the server's error type and message.
 */

export type RunStatus = 'running' | 'finished' | 'crashed';
/** The x quantities the server understands; relative time is wall time minus the run's start. */
export type ServerX = 'step' | 'wall';

export interface Run {
  id: string;
  project: string;
  name: string;
  status: RunStatus;
  started: number;
  ended: number | null;
  heartbeat: number | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  keys: number;
  points: number;
  error: string | null;
}

export interface PanelInfo {
  name: string;
  title: string;
  /** Whether the panel has data for the runs asked about; absent from older servers. */
  has_data?: boolean;
}

export interface TagInfo {
  tag: string;
  runs: string[];
}

export interface Buckets {
  x: number[];
  mean: (number | null)[];
  count: number[];
}

export interface NonFinite {
  x: number;
  nan: number;
  posinf: number;
  neginf: number;
}

export interface Series {
  run: string;
  n: number;
  exact: boolean;
  x: number[];
  y: (number | null)[];
  buckets: Buckets;
  nonfinite: NonFinite[];
}

export interface SeriesResponse {
  tag: string;
  x: ServerX;
  width: number;
  series: Series[];
}

export interface SeriesQuery {
  tag: string;
  runs: readonly string[];
  x: ServerX;
  width: number;
  lo?: number;
  hi?: number;
}

/** `event: scalars` payload: the runs whose series grew and the keys that grew. */
export interface ScalarsEvent {
  runs: Record<string, { points: number; keys: string[] }>;
}

export interface RunsEvent {
  runs: Run[];
}

/** An HTTP or transport failure, with the server's `{"error": {type, message}}` when it sent one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  /** The panels, with `has_data` for `runs` (all runs when none are given). */
  panels(runs?: readonly string[]): Promise<PanelInfo[]>;
  runs(): Promise<Run[]>;
  tags(runs?: readonly string[]): Promise<TagInfo[]>;
  series(query: SeriesQuery, signal?: AbortSignal): Promise<SeriesResponse>;
  /** The event-stream URL; the token travels in the query because EventSource cannot send headers. */
  streamUrl(): string;
  /** GET any JSON route of a panel (path relative to /api/v1/), with the client's errors and token. */
  getJson<T>(path: string, params?: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T>;
  /** An absolute URL for `<img src>` (which cannot send headers): the token goes in the query. */
  href(path: string, params?: Record<string, string | number | undefined>): string;
}

/** Query parameters; an array repeats its key. */
type Params = Record<string, string | number | readonly string[] | undefined>;

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Builds a client rooted at `base` (an absolute URL ending in "/api/v1/"). */
export function createApiClient(base: string, token: string | null, fetchImpl: FetchLike = (i, o) => fetch(i, o)): ApiClient {
  const url = (path: string, params: Params = {}): string => {
    const u = new URL(path, base);
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, item);
      else if (v !== undefined) u.searchParams.set(k, String(v));
    }
    return u.toString();
  };

  const get = async <T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers['Authorization'] = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetchImpl(url(path, params), signal ? { headers, signal } : { headers });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(`cannot reach the server (${String(err)})`, 0, 'NetworkError', path);
    }
    if (!res.ok) {
      let type = 'HTTPError';
      let message = `${res.status} ${res.statusText}`.trim();
      try {
        const body = (await res.json()) as { error?: { type?: string; message?: string } };
        if (body.error?.type) type = body.error.type;
        if (body.error?.message) message = body.error.message;
      } catch {
        // Not JSON (a proxy's error page): the status line is the best message there is.
      }
      throw new ApiError(message, res.status, type, path);
    }
    return (await res.json()) as T;
  };

  return {
    panels: async (runs) => (await get<{ panels: PanelInfo[] }>('panels', { runs: runs ? runs.join(',') : undefined })).panels,
    runs: async () => (await get<{ runs: Run[] }>('runs')).runs,
    tags: async (runs) => (await get<{ tags: TagInfo[] }>('scalars/tags', { runs: runs ? runs.join(',') : undefined })).tags,
    series: (q, signal) =>
      get<SeriesResponse>(
        'scalars/series',
        { tag: q.tag, runs: q.runs.join(','), x: q.x, lo: q.lo, hi: q.hi, width: Math.max(1, Math.round(q.width)) },
        signal,
      ),
    streamUrl: () => url('stream', { token: token ?? undefined }),
    getJson: (path, params, signal) => get(path, params, signal),
    href: (path, params = {}) => url(path, { ...params, token: token ?? undefined }),
  };
}
