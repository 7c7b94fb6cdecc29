// The JSON schemas of the JS-SDK routes: one source for input validation (ajv), response
// serialisation (Fastify's compiled serializer) and the OpenAPI description at /docs.

const API_NAME = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
const TAG_NAME = '^[a-z][a-z0-9-]{0,63}$';
const CARD_FIELD = '^[A-Za-z0-9_-]{0,64}$';
const APP_ID = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'the account to sign for; default: the account whose jsDomains name the page host, else the default account',
  example: 'wx5a0d8b0c1e2f3a4b',
} as const;
const CSV = (item: string) => `^$|^${item.slice(1, -1)}(,${item.slice(1, -1)})*$`;

/** POST /wechat/jssdk/config. The url's own rules live in page-url.ts (INVALID_URL). */
export const JSSDK_CONFIG_BODY_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      description: "the page url, as location.href.split('#')[0]; signed byte for byte",
      example: 'https://h5.example.com/page?x=1',
    },
    jsApiList: {
      type: 'array',
      maxItems: 200,
      items: { type: 'string', pattern: API_NAME },
      example: ['updateAppMessageShareData'],
    },
    openTagList: { type: 'array', maxItems: 50, items: { type: 'string', pattern: TAG_NAME }, example: ['wx-open-launch-weapp'] },
    debug: { type: 'boolean', default: false },
    appId: APP_ID,
  },
} as const;

export interface JssdkConfigBody {
  url: string;
  appId?: string;
  jsApiList?: string[];
  openTagList?: string[];
  debug?: boolean;
}

/** GET /wechat/jssdk/config?url=...&jsApiList=a,b&openTagList=x&debug=true */
export const JSSDK_CONFIG_QUERY_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      description: 'the page url without fragment, encoded once',
      example: 'https://h5.example.com/page?x=1',
    },
    jsApiList: {
      type: 'string',
      maxLength: 13000,
      pattern: CSV(API_NAME),
      description: 'comma-separated',
      example: 'updateAppMessageShareData,chooseImage',
    },
    openTagList: {
      type: 'string',
      maxLength: 3300,
      pattern: CSV(TAG_NAME),
      description: 'comma-separated',
      example: 'wx-open-launch-weapp',
    },
    debug: { type: 'string', enum: ['true', 'false'] },
    appId: APP_ID,
  },
} as const;

export interface JssdkConfigQuery {
  url: string;
  appId?: string;
  jsApiList?: string;
  openTagList?: string;
  debug?: 'true' | 'false';
}

/** POST /wechat/jssdk/card-config: the filters of wx.chooseCard, all optional. */
export const CARD_CONFIG_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    shopId: { type: 'string', pattern: CARD_FIELD, description: 'location_id of a shop', example: '123' },
    cardType: { type: 'string', pattern: CARD_FIELD, example: 'GROUPON' },
    cardId: { type: 'string', pattern: CARD_FIELD, example: 'pDF3iY9tv9zCGCj4jTXFOo1DxHdo' },
    appId: { ...APP_ID, description: 'the account to sign for; default: the default account' },
  },
} as const;

export interface CardConfigBody {
  appId?: string;
  shopId?: string;
  cardType?: string;
  cardId?: string;
}

const TIMESTAMP = { type: 'integer', description: 'seconds since the epoch', example: 1414587457 } as const;
const NONCE = { type: 'string', description: '16 characters of [A-Za-z0-9] from a CSPRNG', example: 'Wm3WZYTPz0wzccnW' } as const;

/** What the page passes to wx.config as it is. */
export const WX_CONFIG_SCHEMA = {
  type: 'object',
  required: ['appId', 'timestamp', 'nonceStr', 'signature', 'jsApiList', 'openTagList', 'debug'],
  properties: {
    appId: { type: 'string', example: 'wx5a0d8b0c1e2f3a4b' },
    timestamp: TIMESTAMP,
    nonceStr: NONCE,
    signature: {
      type: 'string',
      description: '40 lower-case hex characters',
      example: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    },
    jsApiList: { type: 'array', items: { type: 'string' }, example: ['updateAppMessageShareData'] },
    openTagList: { type: 'array', items: { type: 'string' }, example: [] },
    debug: { type: 'boolean', example: false },
  },
} as const;

/** The parameters of wx.chooseCard. */
export const CHOOSE_CARD_CONFIG_SCHEMA = {
  type: 'object',
  required: ['shopId', 'cardType', 'cardId', 'timestamp', 'nonceStr', 'signType', 'cardSign'],
  properties: {
    shopId: { type: 'string', example: '' },
    cardType: { type: 'string', example: 'GROUPON' },
    cardId: { type: 'string', example: '' },
    timestamp: TIMESTAMP,
    nonceStr: NONCE,
    signType: { type: 'string', enum: ['SHA1'] },
    cardSign: { type: 'string', example: 'f4d90daf4b3bca3078ab155816175ba34c443a7b' },
  },
} as const;

export const splitList = (csv: string | undefined): string[] | undefined =>
  csv === undefined ? undefined : csv.split(',').filter(Boolean);

const PAGE_URL = { type: 'string', minLength: 1, maxLength: 4096 } as const;

/** POST /wechat/jssdk/diagnose: what the page saw (its url, the parameters it passed to wx.config, its entry url and user agent). */
export const DIAGNOSE_BODY_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { ...PAGE_URL, description: "the page's location.href when wx.config ran" },
    signedUrl: { ...PAGE_URL, description: 'the url the page asked to have signed' },
    appId: { type: 'string', maxLength: 64, description: 'the appId passed to wx.config' },
    timestamp: { type: 'integer', minimum: 0, maximum: 4_102_444_800 },
    nonceStr: { type: 'string', maxLength: 64 },
    signature: { type: 'string', maxLength: 64 },
    entryUrl: { ...PAGE_URL, description: 'the url the page was first entered with (iOS WeChat checks it after pushState)' },
    userAgent: { type: 'string', maxLength: 1024 },
    // the rest of what wx.config was given may come along (a page posts its whole config); not used
    jsApiList: { type: 'array', maxItems: 200 },
    openTagList: { type: 'array', maxItems: 50 },
    debug: { type: 'boolean' },
  },
} as const;

/** The answer of POST /wechat/jssdk/diagnose. */
export const DIAGNOSIS_SCHEMA = {
  type: 'object',
  required: ['ok', 'findings'],
  properties: {
    ok: { type: 'boolean', description: 'the signature is one WeChat accepts for this page' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
