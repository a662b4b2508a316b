// Command line of the busybox images' `nc`, read as busybox's netcat-1.10-compatible nc
// (nc_bloaty.c, NC_SERVER and NC_EXTRA on, as in the Docker busybox image) reads it: getopt
// "np:s:ubvw:+lki:o:z" with GNU permutation (options may follow the host and port), -v and -l
// counted, at most two operands, `-e PROG [ARGS]` (or a cluster of value-less options ending in e,
// such as -lke) ending the options with PROG's own argument list, -w a non-negative number,
// -i 1..65535. Error texts are busybox's.

export interface NcOptions {
  /** -n: no reverse lookups of peers (busybox resolves the target host even so). */
  numeric: boolean;
  /** -p PORT (number or service name). */
  localPort?: string;
  /** -s ADDR. */
  localAddress?: string;
  udp: boolean;
  broadcast: boolean;
  /** -v count. */
  verbose: number;
  /** -w SEC (0: none). */
  wait: number;
  /** -l count; -k makes it 2 (persistent with -e). */
  listen: number;
  /** -i SEC (0: none). */
  interval: number;
  /** -o FILE. */
  hexdump?: string;
  zero: boolean;
  /** HOST and PORT (listen mode: the peer to accept). */
  operands: string[];
  /** -e PROG [ARGS]. */
  prog?: string[];
}

export type NcParse = { ok: true; opts: NcOptions } | { ok: false; message?: string; usage: boolean };

const FLAGS = 'nubvlkz';
const WITH_VALUE = 'psw' + 'io';
const INT_MAX = 2147483647;

export const NC_USAGE = `BusyBox v1.36.1 multi-call binary.

Usage: nc [OPTIONS] HOST PORT  - connect
nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen

\t-e PROG\tRun PROG after connect (must be last)
\t-l\tListen mode, for inbound connects
\t-lk\tWith -e, provides persistent server
\t-p PORT\tLocal port
\t-s ADDR\tLocal address
\t-w SEC\tTimeout for connects and final net reads
\t-i SEC\tDelay interval for lines sent
\t-n\tDon't do DNS resolution
\t-u\tUDP mode
\t-b\tAllow broadcasts
\t-v\tVerbose
\t-o FILE\tHex dump traffic
\t-z\tZero-I/O mode (scanning)
`;

/** busybox's unsigned number parsing (xatou_range): digits only, then the range. */
function number(s: string, min: number, max: number): number | string {
  if (!/^[0-9]+$/.test(s)) return `invalid number '${s}'`;
  const v = Number(s);
  if (v < min || v > max) return `number ${s} is not in ${min}..${max} range`;
  return v;
}

export function parseNcArgs(argv: readonly string[]): NcParse {
  let args = [...argv];
  let prog: string[] | undefined;
  // -e takes the rest of the line as PROG and its arguments, so it is cut off before getopt.
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-e') {
      prog = args.slice(i + 1);
      args = args.slice(0, i);
      break;
    }
    if (a.startsWith('-') && a.length > 2 && a.endsWith('e') && [...a.slice(1, -1)].every((c) => 'nuvlkz'.includes(c))) {
      prog = args.slice(i + 1);
      args = [...args.slice(0, i), a.slice(0, -1)];
      break;
    }
  }
  if (prog !== undefined && prog.length === 0) return { ok: false, message: "option requires an argument -- 'e'", usage: true };

  const o: NcOptions = { numeric: false, udp: false, broadcast: false, verbose: 0, wait: 0, listen: 0, interval: 0, zero: false, operands: [], prog };
  let keep = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      o.operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      o.operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (FLAGS.includes(c)) {
        if (c === 'n') o.numeric = true;
        else if (c === 'u') o.udp = true;
        else if (c === 'b') o.broadcast = true;
        else if (c === 'v') o.verbose++;
        else if (c === 'l') o.listen++;
        else if (c === 'k') keep = true;
        else o.zero = true;
        continue;
      }
      if (!WITH_VALUE.includes(c)) return { ok: false, message: `invalid option -- '${c}'`, usage: true };
      let value = a.slice(j + 1);
      if (!value) {
        if (i + 1 >= args.length) return { ok: false, message: `option requires an argument -- '${c}'`, usage: true };
        value = args[++i];
      }
      if (c === 'p') o.localPort = value;
      else if (c === 's') o.localAddress = value;
      else if (c === 'o') o.hexdump = value;
      else {
        const v = number(value, c === 'i' ? 1 : 0, c === 'i' ? 0xffff : INT_MAX);
        if (typeof v === 'string') return { ok: false, message: v, usage: false };
        if (c === 'w') o.wait = v;
        else o.interval = v;
      }
      break;
    }
  }
  if (o.operands.length > 2) return { ok: false, usage: true };
  if (keep) o.listen = 2;
  return { ok: true, opts: o };
}
