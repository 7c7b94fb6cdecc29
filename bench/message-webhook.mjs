// The host's message webhook for bench/messages.mjs, in a process of its own on the load generator's core.
// POST: answers `{ reply: { type: 'text', content } }` (BENCH_REPLY, or with BENCH_ECHO=1 `echo <MsgId>`), after
// BENCH_WEBHOOK_DELAY_MS. With BENCH_WEBHOOK_SECRET it checks X-Signature and counts calls per MsgId, which
// `GET /calls` reports: { calls, unsigned, messages, max } (calls: every POST; messages: distinct MsgIds; max: the
// most calls one MsgId got). Prints "listening on URL".
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const SECRET = process.env.BENCH_WEBHOOK_SECRET;
const DELAY_MS = Number(process.env.BENCH_WEBHOOK_DELAY_MS ?? 0);
const ECHO = process.env.BENCH_ECHO === '1';
const FIXED = JSON.stringify({ reply: { type: 'text', content: process.env.BENCH_REPLY ?? 'ok' } });

let calls = 0;
let unsigned = 0;
const perMessage = new Map();

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    return res.end(
      JSON.stringify({
        calls,
        unsigned,
        messages: perMessage.size,
        max: [...perMessage.values()].reduce((a, b) => Math.max(a, b), 0),
      }),
    );
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    calls++;
    let answer = FIXED;
    if (SECRET || ECHO) {
      const body = Buffer.concat(chunks).toString('utf8');
      const { message } = JSON.parse(body);
      if (SECRET) {
        const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
        if (req.headers['x-signature'] !== expected) unsigned++;
        perMessage.set(message.MsgId, (perMessage.get(message.MsgId) ?? 0) + 1);
      }
      if (ECHO) answer = JSON.stringify({ reply: { type: 'text', content: `echo ${message.MsgId}` } });
    }
    const send = () => {
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    };
    if (DELAY_MS > 0) setTimeout(send, DELAY_MS);
    else send();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
