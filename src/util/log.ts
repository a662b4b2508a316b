// Structured key=value logging (habit 10). Components take a Logger in their config; nothing
// writes to the console directly, so tests can capture logs and `kubectl logs` can show them.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose lines all carry these fields (e.g. component=proxy). */
  with(fields: Fields): Logger;
}

export type Sink = (line: string) => void;

function fmt(v: unknown): string {
  if (v instanceof Error) v = v.message;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s !== undefined && /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s ?? String(v));
}

export function createLogger(opts: { level?: Level; sink?: Sink; fields?: Fields } = {}): Logger {
  const min = order[opts.level ?? 'info'];
  const sink: Sink = opts.sink ?? ((line) => process.stderr.write(line + '\n'));
  const base = opts.fields ?? {};
  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (order[level] < min) return;
    let line = `time=${new Date().toISOString()} level=${level} msg=${fmt(msg)}`;
    for (const [k, v] of Object.entries({ ...base, ...fields })) if (v !== undefined) line += ` ${k}=${fmt(v)}`;
    sink(line);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger({ level: opts.level, sink, fields: { ...base, ...fields } }),
  };
}

/** Discards everything (unit tests). */
export const silentLogger: Logger = createLogger({ sink: () => {} });
