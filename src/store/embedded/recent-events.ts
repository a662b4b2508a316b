// The most recent committed events kept in memory, so watches that resume from a recent revision
// (the common case: an informer re-watching after a list) never touch the disk. Older starting
// points fall back to the log table.

import type { WatchEvent } from '../types.js';

interface Group {
  revision: number;
  events: WatchEvent[];
}

export class RecentEvents {
  private groups: Group[] = [];
  private head = 0;
  /** Every event with revision > floor is held here. */
  private floorRevision: number;

  constructor(
    private readonly capacity: number,
    currentRevision: number,
  ) {
    this.floorRevision = currentRevision;
  }

  get floor(): number {
    return this.floorRevision;
  }

  add(revision: number, events: WatchEvent[]): void {
    this.groups.push({ revision, events });
    while (this.groups.length - this.head > this.capacity) this.dropOldest();
    // Reclaim the dropped prefix now and then instead of shifting on every add.
    if (this.head > 1024 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
  }

  private dropOldest(): void {
    const g = this.groups[this.head] as Group;
    this.floorRevision = g.revision;
    this.head++;
  }

  /** Forgets events below `revision` (compaction). */
  dropBelow(revision: number): void {
    while (this.head < this.groups.length && (this.groups[this.head] as Group).revision < revision) this.dropOldest();
    if (this.floorRevision < revision - 1) this.floorRevision = revision - 1;
  }

  /** Events with revision > after under `prefix`; `after` must be >= floor. */
  since(after: number, prefix: string): WatchEvent[] {
    const out: WatchEvent[] = [];
    let lo = this.head;
    let hi = this.groups.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.groups[mid] as Group).revision <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.groups.length; i++) {
      for (const ev of (this.groups[i] as Group).events) if (ev.kv.key.startsWith(prefix)) out.push(ev);
    }
    return out;
  }
}
