import {
  CARD_CONFIG_BODY_SCHEMA,
  CHOOSE_CARD_CONFIG_SCHEMA,
  DIAGNOSE_BODY_SCHEMA,
  DIAGNOSIS_SCHEMA,
  JSSDK_CONFIG_BODY_SCHEMA,
  JSSDK_CONFIG_QUERY_SCHEMA,
  WX_CONFIG_SCHEMA,
} from './jssdk.schemas.js';

/** The parts of an OpenAPI 3 document this file fills in. */
export interface OpenApiDocumentLike {
  paths: Record<string, object>;
  components?: { schemas?: Record<string, object> };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const problem = (description: string) => ({ description, content: json('ProblemDto') });
const ERRORS = {
  400: problem(
    'INVALID_URL, DOMAIN_NOT_ALLOWED, UNKNOWN_ACCOUNT, ACCOUNT_REQUIRED, VALIDATION_FAILED or INVALID_JSON; WeChat is not called',
  ),
  502: problem('WECHAT_API_ERROR: WeChat refused (with errcode)'),
  503: problem('WECHAT_UNAVAILABLE: WeChat unreachable or failing after retries'),
};

/**
 * Adds the JS-SDK routes (served by Fastify directly, so Nest's scanner does not see them) to an
 * OpenAPI document, with the very schemas that validate and serialise them. `mount` is where
 * they are mounted (`/wechat/jssdk` by default). The error body is `ProblemDto`.
 */
export function addJssdkToOpenApi<T extends OpenApiDocumentLike>(document: T, mount = '/wechat/jssdk'): T {
  const tags = ['JS-SDK'];
  const query = JSSDK_CONFIG_QUERY_SCHEMA;
  document.paths[`${mount}/config`] = {
    post: {
      tags,
      operationId: 'jssdkConfigFromBody',
      summary: 'wx.config parameters for a page url',
      requestBody: { required: true, content: json('JssdkConfigBody') },
      responses: { 200: { description: 'the wx.config parameters', content: json('WxConfigDto') }, ...ERRORS },
    },
    get: {
      tags,
      operationId: 'jssdkConfigFromQuery',
      summary: 'wx.config parameters, url in the query string',
      parameters: Object.entries(query.properties).map(([name, property]) => {
        const { description, ...schema } = property as { description?: string };
        return { name, in: 'query', required: (query.required as readonly string[]).includes(name), description, schema };
      }),
      responses: { 200: { description: 'the wx.config parameters', content: json('WxConfigDto') }, ...ERRORS },
    },
  };
  document.paths[`${mount}/card-config`] = {
    post: {
      tags,
      operationId: 'jssdkCardConfig',
      summary: 'wx.chooseCard parameters signed with the wx_card api_ticket',
      requestBody: { required: false, content: json('CardConfigBody') },
      responses: { 200: { description: 'the wx.chooseCard parameters', content: json('ChooseCardConfigDto') }, ...ERRORS },
    },
  };
  document.paths[`${mount}/diagnose`] = {
    post: {
      tags,
      operationId: 'jssdkDiagnose',
      summary: 'Why wx.config failed: findings from what the page saw (no call to WeChat, no ticket revealed)',
      requestBody: { required: true, content: json('DiagnoseBody') },
      responses: {
        200: { description: '`ok` and the findings, each a code and a sentence', content: json('DiagnosisDto') },
        400: problem('VALIDATION_FAILED or INVALID_JSON'),
        429: problem('RATE_LIMITED, with Retry-After'),
      },
    },
  };
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      JssdkConfigBody: JSSDK_CONFIG_BODY_SCHEMA,
      CardConfigBody: CARD_CONFIG_BODY_SCHEMA,
      WxConfigDto: WX_CONFIG_SCHEMA,
      ChooseCardConfigDto: CHOOSE_CARD_CONFIG_SCHEMA,
      DiagnoseBody: DIAGNOSE_BODY_SCHEMA,
      DiagnosisDto: DIAGNOSIS_SCHEMA,
    },
  };
  return document;
}
