// Encoded answers for the zone, reused while the index is unchanged. A query's bytes past its id
// (flags, counts, question, EDNS options) and its transport decide the answer completely, so an
// identical query is answered by copying the stored reply and writing the new id: no decode, no
// encode. Any index change bumps its generation and empties the cache, so answers are never stale.
export class AnswerCache {
  private readonly entries = new Map<string, { reply: Buffer; type: string }>();
  private generation = -1;

  constructor(private readonly maxEntries = 20_000) {}

  private static key(msg: Buffer, proto: string): string {
    return proto + msg.toString('latin1', 2);
  }

  /** The stored reply with this query's id, and the query type (for metrics). */
  get(msg: Buffer, proto: string, generation: number): { reply: Buffer; type: string } | undefined {
    if (generation !== this.generation) return undefined;
    const hit = this.entries.get(AnswerCache.key(msg, proto));
    if (!hit) return undefined;
    const out = Buffer.allocUnsafe(hit.reply.length);
    hit.reply.copy(out);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    return { reply: out, type: hit.type };
  }

  put(msg: Buffer, proto: string, generation: number, reply: Buffer, type: string): void {
    if (msg.length > 512) return;
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(AnswerCache.key(msg, proto), { reply, type });
  }
}
