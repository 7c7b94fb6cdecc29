import type { OpenApiDocumentLike } from '../jssdk/jssdk.openapi.js';
import { INVALID_REPORT_SCHEMA, ISSUED_CREDENTIAL_SCHEMA } from './credential-api.schemas.js';
import { CREDENTIAL_KINDS } from '../../core/credentials/credential-kinds.js';

type SecuredDocument = OpenApiDocumentLike & {
  components?: OpenApiDocumentLike['components'] & { securitySchemes?: Record<string, object> };
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const problem = (description: string) => ({ description, content: json('ProblemDto') });
const SCHEME = 'credentialConsumer';

/**
 * Adds the credential API (served by the platform directly, unseen by Nest's scanner) to an
 * OpenAPI document, with its bearer security scheme. `mount`: where it is mounted.
 */
export function addCredentialApiToOpenApi<T extends SecuredDocument>(document: T, mount = '/wechat/credentials'): T {
  const tags = ['Credential API'];
  const security = [{ [SCHEME]: [] }];
  const appId = { name: 'appId', in: 'path', required: true, schema: { type: 'string' } };
  const answer = { description: 'the credential and when to stop using it', content: json('IssuedCredentialDto') };
  const errors = {
    401: problem('UNAUTHORIZED: missing or wrong bearer'),
    404: problem('UNKNOWN_ACCOUNT or UNKNOWN_KIND'),
    429: problem('RATE_LIMITED, with Retry-After'),
    502: problem('WECHAT_API_ERROR: WeChat refused (with errcode)'),
    503: problem('WECHAT_UNAVAILABLE: WeChat unreachable or failing after retries'),
  };
  document.paths[`${mount}/{appId}/{kind}`] = {
    get: {
      tags,
      security,
      operationId: 'credentialRead',
      summary: "An account's access_token or ticket, from the cluster-wide cache (no call to WeChat when warm)",
      parameters: [appId, { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: [...CREDENTIAL_KINDS] } }],
      responses: { 200: answer, ...errors },
    },
  };
  document.paths[`${mount}/{appId}/access_token/invalid`] = {
    post: {
      tags,
      security,
      operationId: 'credentialReportInvalid',
      summary: 'Report an access_token WeChat rejected (40001, 40014, 42001); replaced once if still current',
      parameters: [appId],
      requestBody: { required: true, content: json('InvalidTokenReport') },
      responses: { 200: answer, 400: problem('VALIDATION_FAILED or INVALID_JSON'), ...errors },
    },
  };
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      IssuedCredentialDto: ISSUED_CREDENTIAL_SCHEMA,
      InvalidTokenReport: INVALID_REPORT_SCHEMA,
    },
    securitySchemes: {
      ...document.components?.securitySchemes,
      [SCHEME]: { type: 'http', scheme: 'bearer', description: 'the secret of one consumer of CREDENTIAL_API_TOKENS' },
    },
  };
  return document;
}
