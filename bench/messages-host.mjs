// A Nest host on Fastify for bench/messages.mjs: WechatModule (Redis, the bench's message Token and
// EncodingAESKey) and MessagesModule.forRoot({ handler }) with a handler that answers a fixed text reply at
// once: the message pipeline as a host runs it, without the standalone service's webhook hop or request log.
// Options as JSON in argv[2]: { appId, appSecret, apiBaseUrl, redisUrl, keyPrefix, messageToken, messageAesKey,
// reply }; prints "listening on URL".
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { MessagesModule, WechatModule } from '../dist/index.js';

const { reply: content, ...wechat } = JSON.parse(process.argv[2]);
const reply = { type: 'text', content };

class HostModule {}
Module({ imports: [WechatModule.forRoot(wechat), MessagesModule.forRoot({ handler: () => reply })] })(HostModule);

const app = await NestFactory.create(HostModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on http://127.0.0.1:${app.getHttpServer().address().port}\n`);
