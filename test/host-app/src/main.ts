// The host's entry point: the README's main.ts plus a switch between variants (HOST_VARIANT)
// and a fixed listen address for the test. app.module.ts, orders.controller.ts, share.controller.ts
// (and main.fastify.ts, compiled only) are the README's marked blocks, written here by the e2e test.
// No global filter: the package's errors are HttpExceptions carrying their JSON body.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { AppWithKeyvCacheModule } from './app-with-keyv-cache.module.js';
import { AppWithLazyKeyvModule } from './app-with-lazy-keyv.module.js';
import { AppWithoutBuiltinRoutesModule } from './app-without-builtin-routes.module.js';

const variants = {
  default: AppModule,
  'no-builtin-routes': AppWithoutBuiltinRoutesModule,
  'keyv-cache': AppWithKeyvCacheModule,
  'keyv-lazy': AppWithLazyKeyvModule,
};
const root = variants[(process.env.HOST_VARIANT ?? 'default') as keyof typeof variants];
const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter());
const config = app.get(ConfigService);
app.enableShutdownHooks();
await app.listen({ host: '127.0.0.1', port: Number(config.get<string>('PORT', '3000')) });
// test/support/processes.ts waits for this line
Logger.log(`listening on ${await app.getUrl()}`, 'HostApp');
