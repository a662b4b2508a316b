// Splits a byte stream into newline-delimited JSON values (the watch wire format). Multi-byte
// characters split across chunks are kept intact by decoding with a streaming TextDecoder.

export class NdjsonSplitter {
  private buf = '';
  private readonly decoder = new TextDecoder();

  /** Feeds a chunk; returns the complete values it finished. Throws on a line that is not JSON. */
  push(chunk: Uint8Array): unknown[] {
    this.buf += this.decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) out.push(JSON.parse(line));
    }
    return out;
  }

  /** True when a partial line is left over (the stream was cut mid-event). */
  get pending(): boolean {
    return this.buf.trim().length > 0;
  }
}
