import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from './common/problem.dto.js';
import { addJssdkToOpenApi } from './wechat/jssdk/jssdk.openapi.js';
import { JssdkRoutes } from './wechat/jssdk/jssdk.routes.js';

/** The OpenAPI description of the service's routes: UI at /docs, JSON at /docs-json. */
export function setupOpenApi(app: NestFastifyApplication, path = 'docs'): void {
  const config = new DocumentBuilder()
    .setTitle('nest-wechat-h5')
    .setDescription('JS-SDK signing, WeChat login and operations. Errors are `{statusCode, code, message[, errcode]}`.')
    .setVersion('0.1.0')
    .addCookieAuth('wechat_sid')
    .build();
  SwaggerModule.setup(path, app, () => {
    const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
    const jssdk = jssdkRoutesOf(app);
    return jssdk ? addJssdkToOpenApi(document, jssdk.mount) : document;
  });
}

function jssdkRoutesOf(app: NestFastifyApplication): JssdkRoutes | undefined {
  try {
    return app.get(JssdkRoutes, { strict: false });
  } catch {
    return undefined; // routes: false
  }
}
