// Fan-out of committed events to watchers. Each watcher has its own queue drained in a microtask,
// so a writer never runs watcher code inside its txn and a slow or throwing watcher cannot disturb
// others. Events of one revision (one txn) are always handed over in a single onEvents call.

import type { Watch, WatchEvent, WatchOptions } from '../types.js';

interface Watcher {
  prefix: string;
  /** Revisions <= this were already queued as backlog (or were not asked for). */
  after: number;
  opts: WatchOptions;
  queue: (WatchEvent[] | Error)[];
  scheduled: boolean;
  done: boolean;
}

/** Splits a revision-ordered event list into one group per revision (one txn each). */
export function groupByRevision(events: WatchEvent[]): WatchEvent[][] {
  const groups: WatchEvent[][] = [];
  let current: WatchEvent[] = [];
  for (const ev of events) {
    if (current.length > 0 && (current[0] as WatchEvent).kv.modRevision !== ev.kv.modRevision) {
      groups.push(current);
      current = [];
    }
    current.push(ev);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Registers a watcher. `backlog` holds the already-committed events it must see first (revision
   * order); `after` is the newest revision covered by the backlog or not wanted, so published
   * revisions <= after are skipped.
   */
  add(prefix: string, after: number, opts: WatchOptions, backlog: WatchEvent[]): Watch {
    const w: Watcher = { prefix, after, opts, queue: [], scheduled: false, done: false };
    for (const group of groupByRevision(backlog)) w.queue.push(group);
    this.watchers.add(w);
    this.schedule(w);
    return {
      cancel: () => {
        w.done = true;
        w.queue.length = 0;
        this.watchers.delete(w);
      },
    };
  }

  /** Hands the events of one committed revision to every matching watcher. */
  publish(revision: number, events: WatchEvent[]): void {
    for (const w of this.watchers) {
      if (revision <= w.after) continue;
      const mine = w.prefix === '' ? events : events.filter((e) => e.kv.key.startsWith(w.prefix));
      if (mine.length === 0) continue;
      w.queue.push(mine);
      this.schedule(w);
    }
  }

  /** Ends one watcher with an error after the events already queued for it. */
  fail(w: Watcher, err: Error): void {
    w.queue.push(err);
    this.watchers.delete(w);
    this.schedule(w);
  }

  /** Ends every watcher (store closing). */
  closeAll(err: Error): void {
    for (const w of [...this.watchers]) this.fail(w, err);
  }

  private schedule(w: Watcher): void {
    if (w.scheduled || w.queue.length === 0) return;
    w.scheduled = true;
    queueMicrotask(() => this.drain(w));
  }

  private drain(w: Watcher): void {
    w.scheduled = false;
    while (!w.done && w.queue.length > 0) {
      const item = w.queue.shift() as WatchEvent[] | Error;
      if (item instanceof Error) {
        w.done = true;
        w.opts.onError?.(item);
        return;
      }
      try {
        w.opts.onEvents(item);
      } catch (err) {
        // A watcher that throws is broken; stop it rather than skipping events silently.
        this.watchers.delete(w);
        w.done = true;
        w.queue.length = 0;
        w.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
  }
}
