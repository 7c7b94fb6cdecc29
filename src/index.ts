// The public face of the package: every name a host application uses, nothing internal.

// WeChat core: credentials, API client, JS-SDK signing
export { WechatModule } from './wechat/wechat.module.js';
export type { WechatModuleExtras } from './wechat/wechat.module-definition.js';
export { WECHAT_OPTIONS, type WechatModuleOptions, type ResolvedWechatOptions, type TokenMode } from './wechat/wechat.options.js';
export { WechatApiClient, type Query, type WechatDownload, type WechatFile } from './wechat/api/wechat-api.client.js';
export { WechatApiError, WechatUnavailableError } from './wechat/api/wechat-api.error.js';
export { classifyErrcode, isTokenInvalidErrcode, errcodeHint, type ErrcodeKind } from './wechat/api/errcodes.js';
export type { RetryPolicy } from './wechat/api/retry-policy.js';
export {
  WechatEvents,
  type WechatEventListener,
  type CallOutcome,
  type CacheTier,
  type LoginOutcome,
} from './wechat/wechat-events.js';
export { WechatAccounts, WechatAccount } from './accounts/wechat-accounts.js';
export type { WechatAccountConfig, WechatAccountSettings } from './accounts/account-config.js';
export { UnknownAccountError, AccountRequiredError } from './accounts/account-errors.js';
export type { AccountTokens } from './accounts/account-tokens.js';
export type { AccountTickets } from './accounts/account-tickets.js';
export type { AccountSigner } from './accounts/account-signer.js';
export type { AccountOAuth } from './accounts/account-oauth.js';
export { TokenService } from './wechat/credentials/token.service.js';
export { TicketService } from './wechat/credentials/ticket.service.js';
export type { TicketType } from './wechat/credentials/credential-keys.js';
export { WECHAT_STORE, type WechatStore, type StoreLock, type StoreHit } from './store/wechat-store.js';
export type { NodeRedisClient } from './store/redis-connection.js';
export type { StoreTopology, RedisSentinelOptions } from './store/create-store.js';
export type { CacheLike } from './store/cache-manager.store.js';
export { StoreUnavailableError } from './redis/redis-guard.js';
export {
  SignatureService,
  type WxConfig,
  type WxConfigOptions,
  type ChooseCardParams,
  type ChooseCardConfig,
  type AccountChoice,
} from './wechat/jssdk/signature.service.js';
export { jsapiSignature, cardSignature, withoutFragment } from './wechat/jssdk/signature.js';
export { addJssdkToOpenApi, type OpenApiDocumentLike } from './wechat/jssdk/jssdk.openapi.js';
export type { DiagnoseInput, Diagnosis, Finding, FindingCode } from './wechat/jssdk/diagnosis.js';
export {
  JSSDK_CONFIG_BODY_SCHEMA,
  JSSDK_CONFIG_QUERY_SCHEMA,
  CARD_CONFIG_BODY_SCHEMA,
  WX_CONFIG_SCHEMA,
  CHOOSE_CARD_CONFIG_SCHEMA,
  type JssdkConfigBody,
  type JssdkConfigQuery,
  type CardConfigBody,
} from './wechat/jssdk/jssdk.schemas.js';

// OAuth login
export { OAuthModule } from './oauth/oauth.module.js';
export type { OAuthModuleExtras } from './oauth/oauth.module-definition.js';
export { OAUTH_OPTIONS, type OAuthModuleOptions, type ResolvedOAuthOptions } from './oauth/oauth.options.js';
export { OAuthService, type WebGrant } from './oauth/oauth.service.js';
export { WechatAuthGuard } from './oauth/wechat-auth.guard.js';
export { WechatUser } from './oauth/wechat-user.decorator.js';
export {
  WECHAT_USER_MAPPER,
  defaultUserMapper,
  type SessionUser,
  type WechatProfile,
  type UserMapper,
  type WechatUserMapper,
  type OAuthScope,
} from './oauth/session-user.js';
export { WechatSessions } from './session/wechat-sessions.js';
export type { WechatSession, WechatSessionData } from './session/wechat-session.js';
export type { OAuthSessionOptions } from './oauth/oauth.options.js';
export { RateLimitGuard } from './rate-limit/rate-limit.guard.js';

// Media persistence
export { MediaModule } from './media/media.module.js';
export type { MediaModuleExtras } from './media/media.module-definition.js';
export { MEDIA_OPTIONS, type MediaAccess, type MediaModuleOptions, type ResolvedMediaOptions } from './media/media.options.js';
export { MediaService, type MediaOpenOptions, type MediaSaveOptions, type MediaSaveResult } from './media/media.service.js';
export {
  MEDIA_STORAGE,
  type MediaRendition,
  type MediaStorage,
  type MediaSaveMeta,
  type StoredMedia,
  type MediaOpenOptions as MediaStorageOpenOptions,
} from './media/media-storage.js';
export { LocalDiskMediaStorage } from './media/local-disk-media.storage.js';
export { S3MediaStorage, type S3MediaStorageOptions } from './media/s3-media.storage.js';
export { VoiceTranscoder, TranscodeError, type TranscoderOptions, type TranscodeFailure } from './media/voice-transcoder.js';
export type { ByteRange } from './media/byte-range.js';
export { isMediaRecord, type MediaRecord, type MediaOwner } from './media/media-record.js';
export { MEDIA_ID_PATTERN, isValidMediaId } from './media/media-id.js';

// The central credential server (中控), and reading from one
export {
  CredentialApiModule,
  type CredentialApiModuleOptions,
  type CredentialApiModuleExtras,
} from './credential-api/credential-api.module.js';
export type { CredentialConsumer } from './credential-api/consumers.js';
export {
  RemoteCredentialSource,
  type CredentialSource,
  type RemoteCredentialSourceOptions,
} from './credential-api/credential-source.js';
export { CREDENTIAL_KINDS, type CredentialKind, type IssuedCredential } from './credential-api/credential-kinds.js';
export { addCredentialApiToOpenApi } from './credential-api/credential-api.openapi.js';

// Operations
export { MetricsModule } from './ops/metrics/metrics.module.js';
export { PrometheusMetrics } from './ops/metrics/prometheus-metrics.js';

// Errors as JSON
export { ProblemFilter, toProblem } from './common/problem.filter.js';
export { HttpProblem, type ProblemBody } from './common/http-problem.js';
