// Messages from WeChat (SPEC 7), two measurements in one run:
// (a) passive replies per second, plain and safe mode, against a bare Fastify route that checks the same signatures,
//     parses the same XML with fast-xml-parser (decrypts, encrypts and signs in the safe mode) and answers the same
//     text reply (bench/bare-messages-server.mjs), alternating rounds, every server pinned to the same core; beside it
//     (reported) the same bare route also claiming each message in Redis with SET NX and recording its answer:
//     - a Nest host (bench/messages-host.mjs): MessagesModule.forRoot({ handler }) answering at once, Redis for the
//       once-only handling: the pipeline without any hop of its own (the row with the goal);
//     - the service as `npm start` runs it, its messages POSTed to a local webhook (bench/message-webhook.mjs, on the
//       load generator's core) that answers at once: the webhook's HTTP hop is included (reported).
//     Every request carries a MsgId of its own (autocannon's setupRequest signs, and in the safe mode encrypts, a
//     fresh push per request), so none is answered from the once-only store as a repeat.
// (b) a burst of repeats: `messages` messages, each POSTed to `processes` service processes sharing Redis at the same
//     moment, the webhook (slowed down a little so repeats overlap the first) counting its calls per MsgId. Each
//     answer must be the first handling's reply, or `success` where that handling missed the reply timeout.
// Also runnable on its own: node bench/messages.mjs [rounds] [seconds] [messages]
import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { decryptMessage } from '../dist/sandbox/messages/message-crypto.js';
import { pushRequest } from '../dist/sandbox/messages/push-message.js';
import {
  cpuNs,
  fmt,
  NODE_FLAGS,
  REDIS_URL,
  serviceEnv,
  startProcess,
  startSandboxProcess,
  startService,
  uniquePrefix,
} from './lib.mjs';

const TOKEN = 'BenchMessageToken2026';
const AES_KEY = 'BenchAesKeyNotSecret0123456789abcdefghijklm';
const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';
const REPLY = 'Thanks, your message has arrived.';
const ORIGINAL_ID = 'gh_bench0123456';
const OPENID = 'oBenchUser000000000000000001';
const PATH = '/wechat/messages';

// MsgIds: 20 digits, distinct within the run (and the run's keys have a prefix of their own)
const MSG_BASE = String(Date.now()).slice(-11);
let msgSeq = 0;
const nextMsgId = () => `${MSG_BASE}${String(++msgSeq).padStart(9, '0')}`;

/** One push as WeChat sends it, signed afresh (and in the safe mode encrypted): the path with its query, and the body. */
function signedPush(appId, mode, msgId = nextMsgId()) {
  const now = Math.floor(Date.now() / 1000);
  const message = { toUserName: ORIGINAL_ID, fromUserName: OPENID, createTime: now, kind: 'text', content: 'hello', msgId };
  const secrets = { appId, token: TOKEN, aesKey: AES_KEY };
  const { url, body } = pushRequest(
    `http://bench${PATH}`,
    message,
    mode,
    secrets,
    String(now),
    String(randomInt(1, 2 ** 31 - 1)),
  );
  const target = new URL(url);
  return { path: target.pathname + target.search, body };
}

const field = (xml, name) => new RegExp(`<${name}><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></${name}>`).exec(xml)?.[1];

/** The passive reply's Content and ToUserName (decrypted in the safe mode). */
function readReply(text, mode) {
  const encrypt = mode === 'plain' ? undefined : field(text, 'Encrypt');
  if (mode !== 'plain' && encrypt === undefined) return {}; // `success`
  const xml = mode === 'plain' ? text : decryptMessage(encrypt, AES_KEY).message;
  return { content: field(xml, 'Content'), toUser: field(xml, 'ToUserName') };
}

async function send(target, appId, mode, msgId) {
  const { path, body } = signedPush(appId, mode, msgId);
  const response = await fetch(`${target.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: response.status, text: await response.text() };
}

/** One push to `target`: it must answer the reply of the bench, to the user. */
async function expectReply(name, target, appId, mode) {
  const { status, text } = await send(target, appId, mode);
  const reply = status === 200 ? readReply(text, mode) : undefined;
  if (reply?.content !== REPLY || reply.toUser !== OPENID)
    throw new Error(`${name} (${mode}) answered ${status}: ${text.slice(0, 300)}`);
}

/** req/s, and the server's CPU time per request (steadier than req/s on a busy machine) */
async function load(target, appId, mode, duration) {
  const before = cpuNs(target.childPid);
  const r = await new Promise((resolve, reject) =>
    autocannon(
      {
        url: target.url,
        connections: 50,
        pipelining: 1,
        duration,
        headers: { 'content-type': 'text/xml' },
        requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, ...signedPush(appId, mode) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  const cpuUs = (cpuNs(target.childPid) - before) / 1000 / r.requests.total;
  return { rps: r.requests.average, cpuUs, errors: r.non2xx + r.errors + r.timeouts };
}

const median = (xs, key) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function passiveReplies({ rounds = 5, duration = 4 } = {}) {
  const sandbox = await startSandboxProcess();
  const { appId, appSecret } = sandbox.account;
  const started = [];
  const start = async (promise) => (started.push(await promise), started.at(-1));
  try {
    const bare = await start(
      startProcess('bench/bare-messages-server.mjs', {
        BENCH_MESSAGE_TOKEN: TOKEN,
        BENCH_MESSAGE_AES_KEY: AES_KEY,
        BENCH_APP_ID: appId,
        BENCH_REPLY: REPLY,
      }),
    );
    // the same route doing the least once-only handling needs (a SET NX and a SET in Redis): reported beside the floor
    const bareOnce = await start(
      startProcess('bench/bare-messages-server.mjs', {
        BENCH_MESSAGE_TOKEN: TOKEN,
        BENCH_MESSAGE_AES_KEY: AES_KEY,
        BENCH_APP_ID: appId,
        BENCH_REPLY: REPLY,
        BENCH_REDIS_URL: REDIS_URL,
      }),
    );
    const hostOptions = {
      appId,
      appSecret,
      apiBaseUrl: sandbox.url,
      redisUrl: REDIS_URL,
      keyPrefix: uniquePrefix('msghost'),
      messageToken: TOKEN,
      messageAesKey: AES_KEY,
      reply: REPLY,
    };
    const host = await start(
      startProcess('bench/messages-host.mjs', {}, undefined, [JSON.stringify(hostOptions)], true, NODE_FLAGS),
    );
    // the webhook shares the load generator's core: its work is not the service's
    const webhook = await start(startProcess('bench/message-webhook.mjs', { BENCH_REPLY: REPLY }, undefined, [], false));
    const service = await start(
      startService(
        serviceEnv(sandbox, {
          CACHE_KEY_PREFIX: uniquePrefix('msgsvc'),
          WECHAT_MESSAGE_TOKEN: TOKEN,
          WECHAT_MESSAGE_AES_KEY: AES_KEY,
          MESSAGE_WEBHOOK_URL: `${webhook.url}/hook`,
          MESSAGE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        }),
      ),
    );
    const targets = { bare, bareOnce, host, service };
    const result = {};
    for (const mode of ['plain', 'safe']) {
      for (const [name, target] of Object.entries(targets)) {
        await expectReply(name, target, appId, mode);
        await load(target, appId, mode, 1);
      }
      const runs = { bare: [], bareOnce: [], host: [], service: [] };
      // Alternate the three so drift on the machine hits them alike.
      for (let i = 0; i < rounds; i++) {
        for (const [name, target] of Object.entries(targets)) runs[name].push(await load(target, appId, mode, duration));
      }
      const of = (name) => ({ rps: median(runs[name], 'rps'), cpuUs: median(runs[name], 'cpuUs') });
      const [b, o, h, s] = [of('bare'), of('bareOnce'), of('host'), of('service')];
      result[mode] = {
        bare: b,
        bareOnce: o,
        onceRatio: h.rps / o.rps,
        onceCpuRatio: o.cpuUs / h.cpuUs,
        host: h,
        service: s,
        hostRatio: h.rps / b.rps,
        hostCpuRatio: b.cpuUs / h.cpuUs,
        serviceRatio: s.rps / b.rps,
        serviceCpuRatio: b.cpuUs / s.cpuUs,
        errors: Object.values(runs)
          .flat()
          .reduce((n, r) => n + r.errors, 0),
      };
    }
    return { rounds, duration, ...result };
  } finally {
    for (const proc of started.reverse()) await proc.stop();
    await sandbox.stop();
  }
}

export async function messageRepeats({ processes = 3, messages = 200, delayMs = 50 } = {}) {
  const sandbox = await startSandboxProcess();
  const { appId } = sandbox.account;
  const started = [];
  try {
    const webhook = await startProcess(
      'bench/message-webhook.mjs',
      { BENCH_WEBHOOK_SECRET: WEBHOOK_SECRET, BENCH_ECHO: '1', BENCH_WEBHOOK_DELAY_MS: String(delayMs) },
      undefined,
      [],
      false,
    );
    started.push(webhook);
    const env = serviceEnv(sandbox, {
      CACHE_KEY_PREFIX: uniquePrefix('msgrepeat'),
      WECHAT_MESSAGE_TOKEN: TOKEN,
      WECHAT_MESSAGE_AES_KEY: AES_KEY,
      MESSAGE_WEBHOOK_URL: `${webhook.url}/hook`,
      MESSAGE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    // one after the other: started together on one busy core, they may miss startProcess's 20 s
    const services = [];
    for (let i = 0; i < processes; i++) {
      services.push(await startService(env));
      started.push(services.at(-1));
    }
    const msgIds = Array.from({ length: messages }, nextMsgId);
    const begun = performance.now();
    // every message to every process at the same moment, as WeChat's tries would land behind a load balancer
    const answers = await Promise.all(
      msgIds.flatMap((msgId) =>
        services.map(async (service) => {
          const { status, text } = await send(service, appId, 'safe', msgId);
          if (status !== 200) return `HTTP ${status}`;
          if (text === 'success') return 'success';
          return readReply(text, 'safe').content === `echo ${msgId}` ? 'first reply' : 'another reply';
        }),
      ),
    );
    const seconds = (performance.now() - begun) / 1000;
    const counted = await (await fetch(`${webhook.url}/calls`)).json();
    return {
      processes,
      messages,
      requests: answers.length,
      webhookDelayMs: delayMs,
      calls: counted.calls,
      unsigned: counted.unsigned,
      distinct: counted.messages,
      maxPerMessage: counted.max,
      callsPerMessage: counted.calls / messages,
      answers: answers.reduce((counts, a) => ({ ...counts, [a]: (counts[a] ?? 0) + 1 }), {}),
      seconds,
    };
  } finally {
    await Promise.all(started.map((proc) => proc.stop()));
    await sandbox.stop();
  }
}

/** The rows bench/run.mjs prints: [what, measured, goal, ok]. */
export function messageRows(replies, repeats) {
  const rows = [];
  for (const mode of ['plain', 'safe']) {
    const m = replies[mode];
    rows.push(
      [
        `passive replies, ${mode} mode: Nest host (MessagesModule handler, no hop; once-only in Redis) vs bare Fastify route`,
        `${fmt(m.host.rps, 0)} / ${fmt(m.bare.rps, 0)} req/s = ${fmt(m.hostRatio, 2)}`,
        '>= 0.80',
        m.hostRatio >= 0.8 && m.errors === 0,
      ],
      [
        '  the same as CPU time per request, bare / host',
        `${fmt(m.bare.cpuUs)} / ${fmt(m.host.cpuUs)} µs = ${fmt(m.hostCpuRatio, 2)}`,
        '>= 0.80',
        m.hostCpuRatio >= 0.8,
      ],
      [
        '  the same against the bare route doing the least once-only needs (SET NX + SET in Redis)',
        `${fmt(m.host.rps, 0)} / ${fmt(m.bareOnce.rps, 0)} req/s = ${fmt(m.onceRatio, 2)} (CPU ${fmt(m.bareOnce.cpuUs)} / ${fmt(m.host.cpuUs)} µs = ${fmt(m.onceCpuRatio, 2)})`,
        'reported',
        m.errors === 0,
      ],
      [
        `  the service (npm start) through its webhook (HTTP hop included) vs the same`,
        `${fmt(m.service.rps, 0)} / ${fmt(m.bare.rps, 0)} req/s = ${fmt(m.serviceRatio, 2)} (CPU ${fmt(m.service.cpuUs)} µs = ${fmt(m.serviceCpuRatio, 2)})`,
        'reported',
        m.errors === 0,
      ],
    );
  }
  const { answers } = repeats;
  rows.push([
    `repeats: ${repeats.messages} messages, each to ${repeats.processes} processes at once (shared Redis)`,
    `${fmt(repeats.callsPerMessage, 2)} calls per message (max ${repeats.maxPerMessage}); answers: ${JSON.stringify(answers)}`,
    '1',
    repeats.callsPerMessage === 1 &&
      repeats.maxPerMessage === 1 &&
      repeats.distinct === repeats.messages &&
      repeats.unsigned === 0 &&
      // `success` is right for a message whose first handling missed the reply timeout (a busy machine)
      (answers['first reply'] ?? 0) + (answers.success ?? 0) === repeats.requests,
  ]);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rounds, duration, messages] = process.argv.slice(2).map(Number);
  const replies = await passiveReplies({ rounds: rounds || undefined, duration: duration || undefined });
  console.log('passive replies', JSON.stringify(replies));
  const repeats = await messageRepeats({ messages: messages || undefined });
  console.log('repeats', JSON.stringify(repeats));
  for (const [what, measured, goal, ok] of messageRows(replies, repeats))
    console.log(`${what}: ${measured} (goal ${goal}: ${ok ? 'ok' : 'MISSED'})`);
}
