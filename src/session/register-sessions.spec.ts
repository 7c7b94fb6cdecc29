import { Controller, Get, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { registerSessions } from './register-sessions.js';

@Controller()
class ProbeController {
  @Get('with-session')
  withSession(@Req() request: FastifyRequest) {
    return { session: request.session !== null && request.session !== undefined };
  }

  @Get('wechat/jssdk/probe')
  sessionless(@Req() request: FastifyRequest) {
    return { session: request.session !== null && request.session !== undefined };
  }
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}

const SETUP = { secret: 'a-session-secret-of-at-least-32-characters', secure: false, redis: null, keyPrefix: 'test:' };

describe('registerSessions', () => {
  let app: NestFastifyApplication;
  beforeEach(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
  });
  afterEach(() => app.close());

  it('gives a session to the routes registered after it, except under the sessionless paths', async () => {
    await registerSessions(app, SETUP);
    await app.init();
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.ready();
    expect((await fastify.inject({ url: '/with-session' })).json()).toEqual({ session: true });
    expect((await fastify.inject({ url: '/wechat/jssdk/probe' })).json()).toEqual({ session: false });
  });

  it('refuses to run after app.init(), when the routes are already registered without it', async () => {
    await app.init();
    await expect(registerSessions(app, SETUP)).rejects.toThrow(/before app.init\(\)/);
  });
});
