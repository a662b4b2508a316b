// A bounded cache of upstream answers that respects their TTLs: entries live for the smallest TTL
// in the answer (negative answers: the SOA's minimum, RFC 2308), capped like CoreDNS's cache
// plugin, and the oldest entry goes first when the cache is full (Map keeps insertion order).
import type { Answer } from 'dns-packet';
import type { Rcode } from './answer.js';

export interface CachedAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

interface Entry {
  value: CachedAnswer;
  stored: number;
  expires: number;
}

export interface ForwardCacheOptions {
  maxEntries: number;
  maxTtl: number;
  maxNegativeTtl: number;
  now: () => number;
}

function ttlOf(a: Answer): number | undefined {
  return a.type === 'OPT' ? undefined : a.ttl;
}

export class ForwardCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly o: ForwardCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The answer with TTLs lowered by its age, or undefined if absent or expired. */
  get(key: string): CachedAnswer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.o.now();
    if (now >= e.expires) {
      this.entries.delete(key);
      return undefined;
    }
    const age = Math.floor((now - e.stored) / 1000);
    // Served TTLs never outlive the entry (the caps apply to what clients see, too).
    const left = Math.ceil((e.expires - now) / 1000);
    const age1 = (rs: Answer[]) => rs.map((r) => (r.type === 'OPT' ? r : { ...r, ttl: Math.max(0, Math.min((r.ttl ?? 0) - age, left)) }) as Answer);
    return { rcode: e.value.rcode, answers: age1(e.value.answers), authorities: age1(e.value.authorities), additionals: age1(e.value.additionals) };
  }

  /** Stores an answer; SERVFAIL and other failures are not cached, nor are zero TTLs. */
  put(key: string, value: CachedAnswer): void {
    let ttl: number | undefined;
    if (value.rcode === 'NOERROR' && value.answers.length) {
      ttl = Math.min(...value.answers.map(ttlOf).filter((t): t is number => t !== undefined), this.o.maxTtl);
    } else if (value.rcode === 'NXDOMAIN' || value.rcode === 'NOERROR') {
      const soa = value.authorities.find((a) => a.type === 'SOA');
      if (!soa || soa.type !== 'SOA') return;
      ttl = Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0, this.o.maxNegativeTtl);
    }
    if (ttl === undefined || ttl <= 0) return;
    const now = this.o.now();
    this.entries.delete(key);
    this.entries.set(key, { value, stored: now, expires: now + ttl * 1000 });
    while (this.entries.size > this.o.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
