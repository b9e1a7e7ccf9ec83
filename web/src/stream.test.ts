import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectStream, LiveBus } from './stream';

class FakeSource {
  static made: FakeSource[] = [];
  readyState = 0;
  closed = false;
  private listeners = new Map<string, Array<(ev: Event) => void>>();
  constructor(readonly url: string) {
    FakeSource.made.push(this);
  }
  addEventListener(type: string, fn: (ev: Event) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  fire(type: string, data?: unknown): void {
    const ev = Object.assign(new Event(type), { data: data === undefined ? undefined : JSON.stringify(data) });
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}

describe('connectStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSource.made = [];
  });
  afterEach(() => vi.useRealTimers());

  const connect = (bus: LiveBus) => connectStream('http://h/api/v1/stream?token=t', bus, (u) => new FakeSource(u) as unknown as EventSource);

  it('publishes runs and scalars events', () => {
    const bus = new LiveBus();
    const runs = vi.fn();
    const scalars = vi.fn();
    bus.on('runs', runs);
    bus.on('scalars', scalars);
    connect(bus);
    const es = FakeSource.made[0] as FakeSource;
    expect(es.url).toBe('http://h/api/v1/stream?token=t');
    es.fire('runs', { runs: [] });
    es.fire('scalars', { runs: { a: { points: 3, keys: ['train/loss'] } } });
    es.fire('scalars');
    expect(runs).toHaveBeenCalledWith({ runs: [] });
    expect(scalars).toHaveBeenCalledTimes(1);
  });

  it('reopens a closed stream with backoff and asks for a resync', () => {
    const bus = new LiveBus();
    const resync = vi.fn();
    const statuses: string[] = [];
    bus.on('resync', resync);
    bus.on('status', (s) => statuses.push(s.status));
    const handle = connect(bus);
    const first = FakeSource.made[0] as FakeSource;
    first.fire('ready');
    first.readyState = 2;
    first.fire('error');
    expect(FakeSource.made).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(FakeSource.made).toHaveLength(2);
    (FakeSource.made[1] as FakeSource).fire('ready');
    expect(resync).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live']);
    handle.close();
    expect((FakeSource.made[1] as FakeSource).closed).toBe(true);
  });

  it('lets EventSource retry by itself while it is still connecting', () => {
    const bus = new LiveBus();
    const resync = vi.fn();
    bus.on('resync', resync);
    connect(bus);
    const es = FakeSource.made[0] as FakeSource;
    es.fire('ready');
    es.readyState = 0;
    es.fire('error');
    vi.advanceTimersByTime(20000);
    expect(FakeSource.made).toHaveLength(1);
    es.fire('ready');
    expect(resync).toHaveBeenCalledTimes(1);
  });

  it('is live only once the server says it watches, not when the headers arrive', () => {
    const bus = new LiveBus();
    const resync = vi.fn();
    const statuses: string[] = [];
    bus.on('resync', resync);
    bus.on('status', (s) => statuses.push(s.status));
    connect(bus);
    const es = FakeSource.made[0] as FakeSource;
    es.fire('open');
    expect(statuses).toEqual(['connecting']);
    es.fire('ready', {});
    expect(statuses).toEqual(['connecting', 'live']);
    expect(resync).not.toHaveBeenCalled();
  });
});
