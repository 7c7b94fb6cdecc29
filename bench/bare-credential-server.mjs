// The floor of the credential API's warm GET (SPEC 7): a bare Fastify route, same Fastify version as the
// service, that checks a bearer in constant time and answers a credential held in memory, in the same shape.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const SECRET = createHash('sha256')
  .update(process.env.BENCH_BEARER ?? '')
  .digest();
const VALUE = 'ACCESS_TOKEN_bxLdikRXVbTPdHSM05e5u5sUoXNKd8-41ZO3MhKoyN5OfkWITDGgnr2fwJ0m9E8NYzWKVZvdVtaUgWvsdshFKA';
const expiresAt = Date.now() + 7_000_000;
const app = Fastify({ logger: false });
app.get('/wechat/credentials/:appId/:kind', async (request, reply) => {
  const presented = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  if (!timingSafeEqual(createHash('sha256').update(presented).digest(), SECRET))
    return reply.code(401).send({ code: 'UNAUTHORIZED' });
  reply.header('cache-control', 'no-store');
  const { appId, kind } = request.params;
  return { appId, kind, value: VALUE, expiresAt, expiresIn: Math.floor((expiresAt - Date.now()) / 1000) };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port}\n`);
