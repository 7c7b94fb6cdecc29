import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createApp } from './bootstrap.js';
import { ConfigurationError } from './config/app-config.js';

try {
  // a .env file in the working directory fills in what the environment leaves unset
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { app, config } = await createApp(process.env);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const mode = config.sandbox ? 'sandbox (simulated WeChat, no real account)' : 'WeChat';
  Logger.log(`listening on http://${config.host}:${port} against ${mode}`, 'Bootstrap');
} catch (error) {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
