import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../nest/http/problem.dto.js';
import { addJssdkToOpenApi } from '../nest/jssdk/jssdk.openapi.js';
import { JssdkRoutes } from '../nest/jssdk/jssdk.routes.js';
import { addCredentialApiToOpenApi } from '../nest/credential-api/credential-api.openapi.js';

/**
 * The OpenAPI description of the service's routes: UI at /docs, JSON at /docs-json. The credential
 * API is described when it is mounted (at `credentialApiMount`).
 */
export function setupOpenApi(app: INestApplication, credentialApiMount?: string, path = 'docs'): void {
  const config = new DocumentBuilder()
    .setTitle('nest-wechat-h5')
    .setDescription('JS-SDK signing, WeChat login and operations. Errors are `{statusCode, code, message[, errcode]}`.')
    .setVersion('0.1.0')
    .addCookieAuth('wechat_sid')
    .build();
  SwaggerModule.setup(path, app, () => {
    const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
    addJssdkToOpenApi(document, app.get(JssdkRoutes, { strict: false }).mount);
    return credentialApiMount ? addCredentialApiToOpenApi(document, credentialApiMount) : document;
  });
}
