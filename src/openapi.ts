import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI description of the service's routes: UI at /docs, JSON at /docs-json. */
export function setupOpenApi(app: NestFastifyApplication, path = 'docs'): void {
  const config = new DocumentBuilder()
    .setTitle('nest-wechat-h5')
    .setDescription('JS-SDK signing, WeChat login and operations. Errors are `{statusCode, code, message[, errcode]}`.')
    .setVersion('0.1.0')
    .addCookieAuth('wechat_sid')
    .build();
  SwaggerModule.setup(path, app, () => SwaggerModule.createDocument(app, config));
}
