// One DNS message in, one out (or nothing): parsing and its failures, header flags, EDNS0,
// truncation for UDP. Independent of sockets so the fuzz test can drive it directly.
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, RecordType } from 'dns-packet';
import { answerQuestion, labelsInZone, type AnswerContext, type Rcode, type ZoneAnswer } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { compressMessage } from './compress.js';
import type { Forwarder } from './forwarder.js';
import type { DnsMetrics } from './metrics.js';
import { rcodeName, rcodeValue } from './rcode.js';

export interface HandlerDeps {
  ctx: AnswerContext;
  forwarder: Forwarder | undefined;
  metrics: DnsMetrics;
  maxUdpPayload: number;
  synced(): boolean;
  /** Reuse of encoded in-zone answers while the index is unchanged (optional). */
  answerCache?: AnswerCache;
}

const QR = 0x8000;
const EDNS_VERSION = 0;
const MAX_CHASE = 8;

/** A header-only reply (FORMERR, NOTIMP, …) built by hand because the request could not be decoded. */
function bareReply(msg: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(12);
  msg.copy(out, 0, 0, 2);
  const reqFlags = msg.readUInt16BE(2);
  // Keep opcode and RD, set QR and the rcode; counts stay zero.
  out.writeUInt16BE(QR | (reqFlags & 0x7900) | rcodeValue(rcode), 2);
  return out;
}

export async function handleMessage(deps: HandlerDeps, msg: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> {
  const started = process.hrtime.bigint();
  // Too short for a header, or a response (someone reflecting answers at us): drop silently.
  if (msg.length < 12 || msg.readUInt16BE(2) & QR) return undefined;
  const finish = (buf: Buffer, rcode: string): Buffer => {
    deps.metrics.response(rcode, Number(process.hrtime.bigint() - started) / 1e9);
    return buf;
  };
  const cached = deps.synced() ? deps.answerCache?.get(msg, proto, deps.ctx.index.generation) : undefined;
  if (cached) {
    deps.metrics.request(proto, cached.type);
    return finish(cached.reply, rcodeName(cached.reply.readUInt16BE(2)));
  }
  let req: DecodedPacket;
  try {
    req = packet.decode(msg);
  } catch {
    deps.metrics.request(proto, 'other');
    return finish(bareReply(msg, 'FORMERR'), 'FORMERR');
  }
  const q = req.questions?.[0];
  deps.metrics.request(proto, q?.type ?? 'other');
  const opcode = ((req.flags ?? 0) >> 11) & 0xf;
  if (opcode !== 0) return finish(bareReply(msg, 'NOTIMP'), 'NOTIMP');
  const opts = (req.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  if (!q || req.questions!.length !== 1 || opts.length > 1 || (req.answers?.length ?? 0) > 0) return finish(bareReply(msg, 'FORMERR'), 'FORMERR');
  const opt = opts[0];
  const reply = (r: ZoneAnswer, authoritative: boolean, extendedRcode = 0): Buffer => {
    let flags = QR | ((req.flags ?? 0) & 0x0100) | packet.RECURSION_AVAILABLE | rcodeValue(r.rcode);
    if (authoritative) flags |= packet.AUTHORITATIVE_ANSWER;
    const ednsOut: OptAnswer[] = opt
      ? [{ type: 'OPT', name: '.', udpPayloadSize: deps.maxUdpPayload, extendedRcode, ednsVersion: EDNS_VERSION, flags: 0, flag_do: false, options: [] }]
      : [];
    const full: packet.Packet = {
      type: 'response',
      id: req.id,
      flags,
      questions: [q],
      answers: r.answers,
      authorities: r.authorities,
      additionals: [...r.additionals, ...ednsOut],
    };
    // Sizes are those of the compressed message, as CoreDNS measures them.
    let buf = compressMessage(packet.encode(full));
    if (proto === 'udp') {
      // Without EDNS0 the limit is 512 bytes (RFC 1035); with it, the client's size within ours.
      const limit = opt ? Math.min(Math.max(opt.udpPayloadSize, 512), deps.maxUdpPayload) : 512;
      if (buf.length > limit) buf = truncated(full, r, ednsOut, limit);
    }
    return finish(buf, extendedRcode ? 'BADVERS' : r.rcode);
  };
  const empty = (rcode: Rcode): ZoneAnswer => ({ rcode, answers: [], authorities: [], additionals: [] });

  if (opt && opt.ednsVersion > EDNS_VERSION) return reply(empty('NOERROR'), false, 1); // BADVERS = 16
  if (q.class !== undefined && q.class !== 'IN') return reply(empty('REFUSED'), false);
  const qtype = q.type;
  if ((qtype as string) === 'AXFR' || (qtype as string) === 'IXFR') return reply(empty('REFUSED'), false);
  // RFC 8482: no ANY over UDP, where it is the classic amplification lever; the client retries on TCP.
  if ((qtype as string) === 'ANY' && proto === 'udp') {
    const out = reply(empty('NOERROR'), false);
    out.writeUInt16BE(out.readUInt16BE(2) | packet.TRUNCATED_RESPONSE, 2);
    return out;
  }

  const name = q.name.toLowerCase();
  const inZone = labelsInZone(name, deps.ctx.zone) !== undefined;
  if (inZone && !deps.synced()) return reply(empty('SERVFAIL'), false);
  const local = inZone || deps.synced() ? answerAny(deps, q.name, qtype) : undefined;
  if (local) {
    if (!local.chase) {
      const generation = deps.ctx.index.generation;
      const out = reply(local, inZone);
      deps.answerCache?.put(msg, proto, generation, Buffer.from(out), qtype);
      return out;
    }
    let r = local;
    for (let i = 0; r.chase && i < MAX_CHASE; i++) r = await chase(deps, r, qtype);
    return reply(r, inZone);
  }
  if (!deps.forwarder) return reply(empty('SERVFAIL'), false);
  const up = await deps.forwarder.resolve(q.name, qtype, opt?.flag_do ?? false);
  return reply({ ...up }, false);
}

/**
 * The largest prefix of the answer, then authority, then additional section that fits `limit`
 * (compressed, our OPT included), with TC set because something was left out — what CoreDNS does
 * (miekg/dns Msg.Truncate). A client that honours TC asks again over TCP for the whole answer; one
 * that does not (musl) still gets the records that fit.
 */
function truncated(full: packet.Packet, r: ZoneAnswer, ednsOut: OptAnswer[], limit: number): Buffer {
  const build = (a: number, n: number, x: number) =>
    compressMessage(
      packet.encode({
        ...full,
        flags: (full.flags ?? 0) | packet.TRUNCATED_RESPONSE,
        answers: r.answers.slice(0, a),
        authorities: r.authorities.slice(0, n),
        additionals: [...r.additionals.slice(0, x), ...ednsOut],
      }),
    );
  // Sizes grow with each record kept, so the most that fit is found by bisection.
  const most = (count: number, fits: (k: number) => boolean): number => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const a = most(r.answers.length, (k) => build(k, 0, 0).length <= limit);
  // A section that lost records ends it: nothing from the sections after it (as miekg/dns).
  const allAnswers = a === r.answers.length;
  const n = allAnswers ? most(r.authorities.length, (k) => build(a, k, 0).length <= limit) : 0;
  const x = allAnswers && n === r.authorities.length ? most(r.additionals.length, (k) => build(a, n, k).length <= limit) : 0;
  return build(a, n, x);
}

/** Resolves an ExternalName's target (in the zone, or upstream) and appends what it finds. */
async function chase(deps: HandlerDeps, r: ZoneAnswer, qtype: RecordType): Promise<ZoneAnswer> {
  const target = r.chase!;
  let next: ZoneAnswer | undefined;
  if (labelsInZone(target, deps.ctx.zone) !== undefined) next = answerQuestion(deps.ctx, target, qtype);
  else if (deps.forwarder) next = { ...(await deps.forwarder.resolve(target, qtype)) };
  if (!next) return { ...r, chase: undefined };
  const answers: Answer[] = [...r.answers, ...next.answers];
  const rcode = next.rcode === 'NXDOMAIN' || next.rcode === 'NOERROR' ? next.rcode : r.rcode;
  return { rcode, answers, authorities: next.answers.length ? [] : next.authorities, additionals: next.additionals, chase: next.chase };
}

/** ANY (only reaching here over TCP) is answered with the addresses and services a name has. */
function answerAny(deps: HandlerDeps, name: string, qtype: RecordType): ZoneAnswer | undefined {
  if ((qtype as string) !== 'ANY') return answerQuestion(deps.ctx, name, qtype);
  const parts = (['A', 'AAAA', 'SRV'] as const).map((t) => answerQuestion(deps.ctx, name, t));
  const first = parts[0];
  if (!first || first.rcode !== 'NOERROR' || first.chase) return first;
  const answers = parts.flatMap((p) => p?.answers ?? []);
  if (!answers.length) return first;
  return { rcode: 'NOERROR', answers, authorities: [], additionals: parts.flatMap((p) => p?.additionals ?? []) };
}
