/**
 * Typed client for the JSON API in docs/http-api.md. Parsing stops here: callers get typed
 * values or an ApiError that carries the server's error type and message.
 */

import type { components, paths } from './generated/api-schema';

/** Every body the server documents, by its pydantic model's name (generated from web/openapi.json). */
export type Schemas = components['schemas'];

/** The 200 JSON body of a path item of the schema; never for binary or streaming routes. */
type JsonBody<P> = P extends { get: { responses: { 200: { content: { 'application/json': infer B } } } } } ? B : never;

/** The JSON routes, as paths relative to /api/v1/ (e.g. `'model/graph'`). */
export type JsonRoute = {
  [K in keyof paths]: K extends `/api/v1/${infer R}` ? ([JsonBody<paths[K]>] extends [never] ? never : R) : never;
}[keyof paths];

/** What `route` answers: `RouteBody<'model/graph'>` is `Schemas['GraphOut']`. */
export type RouteBody<R extends JsonRoute> = JsonBody<paths[`/api/v1/${R}`]>;

export type Run = Schemas['RunOut'];
export type RunStatus = Run['status'];
export type PanelInfo = Schemas['PanelOut'];
export type TagInfo = Schemas['TagOut'];
export type SeriesResponse = Schemas['ChartOut'];
/** The x quantities the server understands; relative time is wall time minus the run's start. */
export type ServerX = SeriesResponse['x'];
export type Series = Schemas['SeriesOut'];
/** A run whose series the server could not read, listed beside the others' series. */
export type SeriesError = Schemas['SeriesError'];
export type Buckets = Schemas['Buckets'];
export type NonFinite = Schemas['NonFinite'];

export interface SeriesQuery {
  tag: string;
  runs: readonly string[];
  x: ServerX;
  width: number;
  lo?: number;
  hi?: number;
}

/** Whether a `ChartOut` entry holds a run's points (and is not a run that could not be read). */
export const isReadable = (s: Series | SeriesError): s is Series => !('error' in s);

/**
 * `event: scalars` payload: the runs whose series grew and the keys that grew. The event stream's
 * payloads are not JSON routes, so the schema does not describe them; this one is written here.
 */
export interface ScalarsEvent {
  runs: Record<string, { points: number; keys: string[] }>;
}

/** `event: runs` payload: the same body as `GET /runs`. */
export type RunsEvent = RouteBody<'runs'>;

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
  /**
   * GET a JSON route (path relative to /api/v1/), with the client's errors and token; the answer
   * is typed from the schema, e.g. `getJson('model/graph', { run })` gives `Schemas['GraphOut']`.
   */
  getJson<R extends JsonRoute>(path: R, params?: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<RouteBody<R>>;
  /** GET any route and drop its body: resolves when it answers 2xx, else rejects with its ApiError. */
  probe(path: string, params?: Record<string, string | number | undefined>): Promise<void>;
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

  const send = async (path: string, params?: Params, signal?: AbortSignal): Promise<Response> => {
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
    return res;
  };
  // The one place a body meets its type: the schema says what each route answers.
  const get = async <R extends JsonRoute>(path: R, params?: Params, signal?: AbortSignal): Promise<RouteBody<R>> =>
    (await (await send(path, params, signal)).json()) as RouteBody<R>;

  return {
    panels: async (runs) => (await get('panels', { runs: runs ? runs.join(',') : undefined })).panels,
    runs: async () => (await get('runs')).runs,
    tags: async (runs) => (await get('scalars/tags', { runs: runs ? runs.join(',') : undefined })).tags,
    series: (q, signal) =>
      get(
        'scalars/series',
        { tag: q.tag, runs: q.runs.join(','), x: q.x, lo: q.lo, hi: q.hi, width: Math.max(1, Math.round(q.width)) },
        signal,
      ),
    streamUrl: () => url('stream', { token: token ?? undefined }),
    getJson: (path, params, signal) => get(path, params, signal),
    probe: async (path, params) => {
      await send(path, params);
    },
    href: (path, params = {}) => url(path, { ...params, token: token ?? undefined }),
  };
}
