// The floor of the signing job on this stack (SPEC 7): a bare Fastify route, same Fastify version as the
// service, doing only what every correct signature needs — a CSPRNG nonce and one sha1 over a ticket held
// in memory — and answering JSON of the same shape as POST /wechat/jssdk/config.
import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';

const TICKET = 'bxLdikRXVbTPdHSM05e5u5sUoXNKd8-41ZO3MhKoyN5OfkWITDGgnr2fwJ0m9E8NYzWKVZvdVtaUgWvsdshFKA';
const app = Fastify({ logger: false });
app.post('/wechat/jssdk/config', async (request) => {
  const { url } = request.body;
  const nonceStr = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHash('sha1')
    .update(`jsapi_ticket=${TICKET}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url.split('#')[0]}`)
    .digest('hex');
  return { appId: 'wx5a0d8b0c1e2f3a4b', timestamp, nonceStr, signature, jsApiList: [], openTagList: [], debug: false };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
