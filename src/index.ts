// The public face of the package: every name a host application uses, nothing internal.

// WeChat core: credentials, API client, JS-SDK signing
export { WechatModule } from './nest/wechat.module.js';
export type { WechatModuleExtras } from './nest/wechat.module-definition.js';
export { WECHAT_OPTIONS, type WechatModuleOptions, type ResolvedWechatOptions, type TokenMode } from './nest/wechat.options.js';
export { WechatApiClient, type Query, type WechatDownload, type WechatFile } from './transport/wechat-api.client.js';
export { WechatApiError, WechatUnavailableError } from './core/wechat-api.error.js';
export { classifyErrcode, isTokenInvalidErrcode, errcodeHint, type ErrcodeKind } from './core/errcodes.js';
export type { RetryPolicy } from './transport/retry-policy.js';
export { WechatEvents, type WechatEventListener, type CallOutcome, type CacheTier, type LoginOutcome } from './core/events.js';
export { WechatAccounts, WechatAccount } from './core/accounts/wechat-accounts.js';
export type { WechatAccountConfig, WechatAccountSettings } from './core/accounts/account-config.js';
export { UnknownAccountError, AccountRequiredError } from './core/accounts/account-errors.js';
export type { AccountTokens } from './core/credentials/account-tokens.js';
export type { AccountTickets } from './core/credentials/account-tickets.js';
export type { AccountSigner } from './core/jssdk/account-signer.js';
export type { AccountOAuth } from './core/oauth/account-oauth.js';
export { TokenService } from './nest/token.service.js';
export { TicketService } from './nest/ticket.service.js';
export type { TicketType } from './core/credentials/credential-keys.js';
export { WECHAT_STORE, type WechatStore, type StoreLock, type StoreHit } from './core/wechat-store.js';
export type { NodeRedisClient } from './store/redis-connection.js';
export type { StoreTopology, RedisSentinelOptions } from './store/create-store.js';
export type { CacheLike } from './store/cache-manager.store.js';
export { StoreUnavailableError } from './store/redis-guard.js';
export {
  SignatureService,
  type WxConfig,
  type WxConfigOptions,
  type ChooseCardParams,
  type ChooseCardConfig,
  type AccountChoice,
} from './nest/jssdk/signature.service.js';
export { jsapiSignature, cardSignature, withoutFragment } from './core/jssdk/signature.js';
export { addJssdkToOpenApi, type OpenApiDocumentLike } from './nest/jssdk/jssdk.openapi.js';
export type { DiagnoseInput, Diagnosis, Finding, FindingCode } from './core/jssdk/diagnosis.js';
export {
  JSSDK_CONFIG_BODY_SCHEMA,
  JSSDK_CONFIG_QUERY_SCHEMA,
  CARD_CONFIG_BODY_SCHEMA,
  WX_CONFIG_SCHEMA,
  CHOOSE_CARD_CONFIG_SCHEMA,
  type JssdkConfigBody,
  type JssdkConfigQuery,
  type CardConfigBody,
} from './nest/jssdk/jssdk.schemas.js';

// OAuth login
export { OAuthModule } from './nest/oauth/oauth.module.js';
export type { OAuthModuleExtras } from './nest/oauth/oauth.module-definition.js';
export { OAUTH_OPTIONS, type OAuthModuleOptions, type ResolvedOAuthOptions } from './nest/oauth/oauth.options.js';
export { OAuthService, type WebGrant } from './nest/oauth/oauth.service.js';
export { WechatAuthGuard } from './nest/oauth/wechat-auth.guard.js';
export { WechatUser } from './nest/oauth/wechat-user.decorator.js';
export {
  WECHAT_USER_MAPPER,
  defaultUserMapper,
  type SessionUser,
  type WechatProfile,
  type UserMapper,
  type WechatUserMapper,
  type OAuthScope,
} from './core/oauth/session-user.js';
export { WechatSessions } from './nest/sessions/wechat-sessions.js';
export type { WechatSession, WechatSessionData } from './nest/sessions/wechat-session.js';
export type { OAuthSessionOptions } from './nest/oauth/oauth.options.js';
export { RateLimitGuard } from './nest/rate-limit/rate-limit.guard.js';

// Media persistence
export { MediaModule } from './nest/media/media.module.js';
export type { MediaModuleExtras } from './nest/media/media.module-definition.js';
export {
  MEDIA_OPTIONS,
  type MediaAccess,
  type MediaModuleOptions,
  type ResolvedMediaOptions,
} from './nest/media/media.options.js';
export { MediaService, type MediaOpenOptions, type MediaSaveOptions, type MediaSaveResult } from './core/media/media.service.js';
export {
  MEDIA_STORAGE,
  type MediaRendition,
  type MediaStorage,
  type MediaSaveMeta,
  type StoredMedia,
  type MediaOpenOptions as MediaStorageOpenOptions,
} from './core/media/media-storage.js';
export { LocalDiskMediaStorage } from './storage/local-disk-media.storage.js';
export { S3MediaStorage, type S3MediaStorageOptions } from './storage/s3-media.storage.js';
export { VoiceTranscoder, TranscodeError, type TranscoderOptions, type TranscodeFailure } from './core/media/voice-transcoder.js';
export type { ByteRange } from './core/media/byte-range.js';
export { isMediaRecord, type MediaRecord, type MediaOwner } from './core/media/media-record.js';
export { MEDIA_ID_PATTERN, isValidMediaId } from './core/media/media-id.js';

// The central credential server (中控), and reading from one
export {
  CredentialApiModule,
  type CredentialApiModuleOptions,
  type CredentialApiModuleExtras,
} from './nest/credential-api/credential-api.module.js';
export type { CredentialConsumer } from './core/credentials/consumers.js';
export {
  RemoteCredentialSource,
  type CredentialSource,
  type RemoteCredentialSourceOptions,
} from './core/credentials/credential-source.js';
export { CREDENTIAL_KINDS, type CredentialKind, type IssuedCredential } from './core/credentials/credential-kinds.js';
export { addCredentialApiToOpenApi } from './nest/credential-api/credential-api.openapi.js';

// Operations
export { MetricsModule } from './nest/metrics/metrics.module.js';
export { PrometheusMetrics } from './nest/metrics/prometheus-metrics.js';

// Errors as JSON
export { ProblemFilter, toProblem } from './nest/http/problem.filter.js';
export { HttpProblem, type ProblemBody } from './nest/http/http-problem.js';
