import { describe, expect, expectTypeOf, it } from 'vitest';
import { ApiError, createApiClient, isReadable, type RouteBody, type Schemas, type Series, type SeriesError } from './api';

interface Call {
  url: string;
  headers: Record<string, string>;
}

function fakeFetch(body: unknown, status = 200): { calls: Call[]; fetch: (u: string, init?: RequestInit) => Promise<Response> } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (u, init) => {
      calls.push({ url: u, headers: (init?.headers ?? {}) as Record<string, string> });
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    },
  };
}

const BASE = 'http://127.0.0.1:6006/sub/api/v1/';

describe('createApiClient', () => {
  it('sends the bearer token on every request', async () => {
    const f = fakeFetch({ runs: [] });
    await createApiClient(BASE, 's3cret', f.fetch).runs();
    expect(f.calls[0]?.url).toBe('http://127.0.0.1:6006/sub/api/v1/runs');
    expect(f.calls[0]?.headers['Authorization']).toBe('Bearer s3cret');
  });

  it('sends no Authorization header without a token', async () => {
    const f = fakeFetch({ panels: [] });
    await createApiClient(BASE, null, f.fetch).panels();
    expect(f.calls[0]?.headers['Authorization']).toBeUndefined();
  });

  it('encodes the series query', async () => {
    const f = fakeFetch({ tag: 'train/loss', x: 'step', width: 640, series: [] });
    await createApiClient(BASE, null, f.fetch).series({ tag: 'train/loss', runs: ['a', 'b'], x: 'step', width: 640.4, lo: 10, hi: 20 });
    const u = new URL(f.calls[0]?.url ?? '');
    expect(u.pathname).toBe('/sub/api/v1/scalars/series');
    expect(Object.fromEntries(u.searchParams)).toEqual({ tag: 'train/loss', runs: 'a,b', x: 'step', lo: '10', hi: '20', width: '640' });
  });

  it('asks which panels have data for the given runs, as one comma-separated runs parameter', async () => {
    const f = fakeFetch({ panels: [{ name: 'scalars', title: 'Scalars', has_data: true }] });
    const api = createApiClient(BASE, null, f.fetch);
    expect(await api.panels(['a', 'b'])).toEqual([{ name: 'scalars', title: 'Scalars', has_data: true }]);
    expect(new URL(f.calls[0]?.url ?? '').search).toBe('?runs=a%2Cb');
    await api.panels();
    expect(f.calls[1]?.url).toBe('http://127.0.0.1:6006/sub/api/v1/panels');
  });

  it('puts the token in the stream URL', () => {
    const api = createApiClient(BASE, 'a b&c', fakeFetch({}).fetch);
    expect(new URL(api.streamUrl()).searchParams.get('token')).toBe('a b&c');
    expect(createApiClient(BASE, null).streamUrl()).toBe('http://127.0.0.1:6006/sub/api/v1/stream');
  });

  it('raises the server error type and message', async () => {
    const f = fakeFetch({ error: { type: 'NotFound', message: 'no run xyz' } }, 404);
    const err = await createApiClient(BASE, null, f.fetch).tags(['xyz']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).type).toBe('NotFound');
    expect((err as ApiError).message).toBe('no run xyz');
  });

  it('types a JSON route by its path, from the schema', async () => {
    const f = fakeFetch({ run: 'r', model: 'net', models: ['net'], graph: { method: 'none', nodes: [], edges: [], modules: [] } });
    const g = await createApiClient(BASE, null, f.fetch).getJson('model/graph', { run: 'r' });
    expectTypeOf(g).toEqualTypeOf<Schemas['GraphOut']>();
    expectTypeOf<RouteBody<'runs'>['runs'][number]>().toEqualTypeOf<Schemas['RunOut']>();
    expectTypeOf<Schemas['RunOut']['status']>().toEqualTypeOf<'running' | 'finished' | 'crashed'>();
    // @ts-expect-error a PNG route has no JSON body
    expectTypeOf<RouteBody<'predictions/thumb'>>().toBeNever();
    expect(g.models).toEqual(['net']);
  });

  it('probes a route without reading its body, and rejects with the server error', async () => {
    const ok = fakeFetch('not json');
    await expect(createApiClient(BASE, null, ok.fetch).probe('predictions/attribution', { id: 'x' })).resolves.toBeUndefined();
    const bad = fakeFetch({ error: { type: 'ValidationError', message: 'no inputs logged' } }, 422);
    const err = await createApiClient(BASE, null, bad.fetch).probe('predictions/attribution').catch((e: unknown) => e);
    expect((err as ApiError).message).toBe('no inputs logged');
  });

  it('tells the series of a run from a run that could not be read', () => {
    const rows: (Series | SeriesError)[] = [
      { run: 'a', error: 'cannot read' },
      { run: 'b', n: 0, exact: true, x: [], y: [], buckets: { x: [], mean: [], count: [] }, nonfinite: [] },
    ];
    expect(rows.filter(isReadable).map((s) => s.run)).toEqual(['b']);
  });
});
