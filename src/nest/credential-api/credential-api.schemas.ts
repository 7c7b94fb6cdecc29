import { CREDENTIAL_KINDS } from '../../core/credentials/credential-kinds.js';

/** The answer of both credential routes: serialises it (Fastify) and describes it (OpenAPI). */
export const ISSUED_CREDENTIAL_SCHEMA = {
  type: 'object',
  required: ['appId', 'kind', 'value', 'expiresAt', 'expiresIn'],
  properties: {
    appId: { type: 'string' },
    kind: { type: 'string', enum: [...CREDENTIAL_KINDS] },
    value: { type: 'string', description: 'the access_token or ticket' },
    expiresAt: { type: 'integer', description: 'epoch ms after which the value must not be used' },
    expiresIn: { type: 'integer', description: 'seconds until expiresAt' },
  },
} as const;

export const INVALID_REPORT_SCHEMA = {
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'string', description: 'the access_token WeChat rejected (40001, 40014, 42001)' } },
} as const;
