/** The live-event bus and the Server-Sent Events connection that feeds it. */
import type { RunsEvent, ScalarsEvent } from './api';

/** EventSource.CLOSED, spelled out so that the module loads where EventSource is absent (tests). */
const CLOSED = 2;

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveEvents {
  runs: RunsEvent;
  scalars: ScalarsEvent;
  /** The stream came back after a drop: events may have been missed, so refetch what is shown. */
  resync: Record<string, never>;
  status: { status: LiveStatus };
}

type Handler<T> = (payload: T) => void;

/** A typed publish/subscribe channel; panels listen, the stream publishes. */
export class LiveBus {
  private handlers = new Map<keyof LiveEvents, Set<Handler<never>>>();

  on<K extends keyof LiveEvents>(event: K, fn: Handler<LiveEvents[K]>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn as Handler<never>);
    return () => set.delete(fn as Handler<never>);
  }

  emit<K extends keyof LiveEvents>(event: K, payload: LiveEvents[K]): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) {
      try {
        (fn as Handler<LiveEvents[K]>)(payload);
      } catch (err) {
        // One broken listener must not starve the others of live data.
        console.error(`torchloupe: ${event} listener failed`, err);
      }
    }
  }
}

export interface StreamHandle {
  close(): void;
}

/**
 * Connects to the event stream and keeps it connected. EventSource retries by itself after a
 * network drop; when it gives up (the server answered with an error, or restarted), a new one is
 * opened with a backoff from 1 s up to 15 s. The status turns `live` on the server's `ready`
 * event, and every reconnection after a drop then emits `resync`.
 */
export function connectStream(url: string, bus: LiveBus, create: (u: string) => EventSource = (u) => new EventSource(u)): StreamHandle {
  let source: EventSource | null = null;
  let closed = false;
  let dropped = false;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const parse = <T>(ev: Event): T | null => {
    try {
      return JSON.parse((ev as MessageEvent<string>).data) as T;
    } catch {
      return null;
    }
  };

  const open = (): void => {
    timer = null;
    if (closed) return;
    bus.emit('status', { status: dropped ? 'reconnecting' : 'connecting' });
    const es = create(url);
    source = es;
    // Not on `open` (the headers): the server sends `ready` once it watches for changes, so a
    // refetch from here on misses nothing.
    es.addEventListener('ready', () => {
      delay = 1000;
      bus.emit('status', { status: 'live' });
      if (dropped) {
        dropped = false;
        bus.emit('resync', {});
      }
    });
    es.addEventListener('runs', (ev) => {
      const data = parse<RunsEvent>(ev);
      if (data && Array.isArray(data.runs)) bus.emit('runs', data);
    });
    es.addEventListener('scalars', (ev) => {
      const data = parse<ScalarsEvent>(ev);
      if (data && data.runs) bus.emit('scalars', data);
    });
    es.addEventListener('error', () => {
      dropped = true;
      bus.emit('status', { status: 'reconnecting' });
      if (es.readyState === CLOSED && !closed) {
        es.close();
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 15000);
      }
    });
  };

  open();
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      source?.close();
    },
  };
}
