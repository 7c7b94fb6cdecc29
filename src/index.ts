// The public face of the package: what a host application imports, nothing internal (40 names at most).

// The modules a host imports
export { WechatModule } from './nest/wechat.module.js';
export { OAuthModule } from './nest/oauth/oauth.module.js';
export { MediaModule } from './nest/media/media.module.js';
export { PayModule } from './nest/pay/pay.module.js';
export { MessagesModule } from './nest/messages/messages.module.js';
export { CredentialApiModule } from './nest/credential-api/credential-api.module.js';
export { MetricsModule } from './nest/metrics/metrics.module.js';

// The one per-account door: accounts.get(appId).signature / tokens / tickets / oauth / media / pay
export { WechatAccounts, type WechatAccount } from './core/accounts/wechat-accounts.js';
export type { WxConfig } from './core/jssdk/account-signer.js';
export { addJssdkToOpenApi } from './nest/jssdk/jssdk.openapi.js';

// Guarding a host's own routes
export { WechatAuthGuard } from './nest/oauth/wechat-auth.guard.js';
export { WechatUser } from './nest/oauth/wechat-user.decorator.js';
export { RateLimitGuard } from './nest/rate-limit/rate-limit.guard.js';

// The options a host writes
export type { WechatModuleOptions } from './nest/wechat.options.js';
export type { OAuthModuleOptions } from './nest/oauth/oauth.options.js';
export type { MediaModuleOptions } from './nest/media/media.options.js';
export type { PayModuleOptions } from './nest/pay/pay.options.js';
export type { MessagesModuleOptions } from './nest/messages/messages.options.js';
export type { CredentialApiModuleOptions } from './nest/credential-api/credential-api.module.js';
export type { MetricsModuleOptions } from './nest/metrics/metrics.module.js';
export type { WechatAccountConfig } from './core/accounts/account-config.js';
export type { CredentialConsumer } from './core/credentials/consumers.js';
export type { CredentialSource } from './core/credentials/credential-source.js';

// Answering the account's messages: the handler's message and reply as WechatMessageHandler.Message / .Reply
export type { WechatMessageHandler } from './core/messages/message-desk.js';

// The logged-in user, and mapping WeChat users onto a host's own
export { WECHAT_USER_MAPPER, type SessionUser, type WechatProfile, type WechatUserMapper } from './core/oauth/session-user.js';

// The seams a host may fill: the shared store, the media storage, the pay ledger (their records as
// WechatStore.Lock, MediaStorage.Record, MediaStorage.Owner, PayOrders.Order, ...)
export { WECHAT_STORE, type WechatStore } from './core/wechat-store.js';
export { MEDIA_STORAGE, type MediaStorage } from './core/media/media-storage.js';
export type { PayOrders } from './core/pay/pay-orders.js';

// Errors: every one a Problem whose statusCode, code and message are the JSON answer
export { Problem } from './core/problem.js';
export { WechatApiError, WechatUnavailableError } from './core/wechat-api.error.js';
export { WechatPayError } from './core/pay/pay-errors.js';

// Pay for hosts that mount their own routes: createJsapiOrder, query, close, refund, verifyNotification
export { PayService } from './core/pay/pay-service.js';
export { StoreUnavailableError } from './store/redis-guard.js';
