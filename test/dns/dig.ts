// Runs the real `dig` (Debian dnsutils) against a server on loopback and parses what it prints.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
  raw: string;
}

export async function dig(port: number, name: string, type = 'A', extra: string[] = []): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), ...(name ? [name] : []), type, '+time=2', '+tries=1', '+nocookie', ...extra], { timeout: 10_000 });
  return parseDig(stdout);
}

export function parseDig(out: string): DigResult {
  const status = /status: ([A-Z]+)/.exec(out)?.[1] ?? '';
  const flags = (/;; flags: ([a-z ]*);/.exec(out)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const sections: Record<string, string[][]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let cur: string | undefined;
  for (const line of out.split('\n')) {
    const m = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (m) {
      cur = m[1];
      continue;
    }
    if (!line.trim() || line.startsWith(';')) {
      if (!line.trim()) cur = undefined;
      continue;
    }
    if (cur) sections[cur]!.push(line.trim().split(/\s+/));
  }
  return { status, flags, answer: sections.ANSWER!, authority: sections.AUTHORITY!, additional: sections.ADDITIONAL!, raw: out };
}

/** The data fields of the answer records of one type (everything after name, ttl, class, type). */
export function rdata(r: DigResult, type: string): string[] {
  return r.answer.filter((f) => f[3] === type).map((f) => f.slice(4).join(' '));
}
