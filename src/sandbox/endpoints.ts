/**
 * Endpoint names used for call counts and fault injection: the WeChat path without the leading slash.
 * Every endpoint group adds its names here so the control API accepts them.
 */
export const CREDENTIAL_ENDPOINTS = [
  'cgi-bin/token',
  'cgi-bin/stable_token',
  'cgi-bin/ticket/getticket',
  'cgi-bin/getcallbackip',
] as const;

export type CredentialEndpoint = (typeof CREDENTIAL_ENDPOINTS)[number];

/** Web OAuth; the confirm step is the sandbox consent page's own form target. */
export const OAUTH_ENDPOINTS = [
  'connect/oauth2/authorize',
  'connect/oauth2/authorize/confirm',
  'connect/qrconnect',
  'connect/qrconnect/confirm',
  'sns/oauth2/access_token',
  'sns/oauth2/refresh_token',
  'sns/userinfo',
  'sns/auth',
] as const;

export type OAuthEndpoint = (typeof OAUTH_ENDPOINTS)[number];

/** Temporary media download; jssdk is the HD (speex) voice. */
export const MEDIA_ENDPOINTS = ['cgi-bin/media/get', 'cgi-bin/media/get/jssdk'] as const;

export type MediaEndpoint = (typeof MEDIA_ENDPOINTS)[number];

/** Customer-service messages (the pushes go the other way and are not counted here). */
export const MESSAGE_ENDPOINTS = ['cgi-bin/message/custom/send'] as const;

export type MessageEndpoint = (typeof MESSAGE_ENDPOINTS)[number];

export const SANDBOX_ENDPOINTS: readonly string[] = [
  ...CREDENTIAL_ENDPOINTS,
  ...OAUTH_ENDPOINTS,
  ...MEDIA_ENDPOINTS,
  ...MESSAGE_ENDPOINTS,
];
