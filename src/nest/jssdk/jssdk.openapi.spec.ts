import { addJssdkToOpenApi, type OpenApiDocumentLike } from './jssdk.openapi.js';
import { JSSDK_CONFIG_BODY_SCHEMA, WX_CONFIG_SCHEMA } from './jssdk.schemas.js';

describe('addJssdkToOpenApi', () => {
  it('describes the routes where they are mounted, with the schemas that validate and serialise them', () => {
    const given: OpenApiDocumentLike = { paths: { '/health': {} }, components: { schemas: { ProblemDto: {} } } };
    const doc = addJssdkToOpenApi(given, '/api/js');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/js/card-config', '/api/js/config', '/api/js/diagnose', '/health']);
    expect(doc.components?.schemas).toMatchObject({
      ProblemDto: {},
      JssdkConfigBody: JSSDK_CONFIG_BODY_SCHEMA,
      WxConfigDto: WX_CONFIG_SCHEMA,
    });
    const get = (doc.paths['/api/js/config'] as { get: { parameters: { name: string; required: boolean; schema: object }[] } })
      .get;
    expect(get.parameters.map((p) => [p.name, p.required])).toEqual([
      ['url', true],
      ['jsApiList', false],
      ['openTagList', false],
      ['debug', false],
      ['appId', false],
    ]);
    expect(get.parameters[0].schema).not.toHaveProperty('description');
  });
});
