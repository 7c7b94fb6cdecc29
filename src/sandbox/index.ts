export {
  AUTHORIZE_ERROR,
  SandboxAuthorizeError,
  checkAuthorize,
  completeAuthorize,
  type AuthorizeDecision,
  type AuthorizeRequest,
} from './authorize-request.js';
export { CallCounter } from './call-counter.js';
export { PAGE_TITLE, escapeHtml } from './consent-page.js';
export {
  CredentialState,
  TICKET_TYPES,
  isTicketType,
  type StateResult,
  type TicketBody,
  type TicketType,
  type TokenBody,
  type TokenCheck,
  type TokenRequest,
} from './credential-state.js';
export {
  CREDENTIAL_ENDPOINTS,
  MEDIA_ENDPOINTS,
  OAUTH_ENDPOINTS,
  SANDBOX_ENDPOINTS,
  type CredentialEndpoint,
  type MediaEndpoint,
  type OAuthEndpoint,
} from './endpoints.js';
export { WECHAT_ERRMSG, wechatError, withRid, type WechatError } from './errors.js';
export { FaultQueue, faultProblem, type SandboxFault, type SandboxFaultKind } from './faults.js';
export { MEDIA_CHUNK_SIZE, mediaBytes, mediaChunks, mediaSha256 } from './media-content.js';
export { MEDIA_VIDEO_PATH } from './media-control.routes.js';
export {
  MAX_MEDIA_SIZE,
  MEDIA_TYPES,
  MediaStore,
  isMediaId,
  isMediaType,
  mediaSpecProblem,
  type MediaBytes,
  type MediaDownload,
  type MediaRecord,
  type MediaSpec,
  type MediaType,
} from './media-store.js';
export {
  OAUTH_SCOPES,
  OAuthState,
  isOAuthScope,
  type OAuthScope,
  type UserInfoBody,
  type WebTokenBody,
} from './oauth-state.js';
export { Sandbox, type AuthorizeOptions } from './sandbox.js';
export {
  SANDBOX_DEFAULT_ACCOUNT,
  resolveSandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxAccount,
  type SandboxOptions,
} from './sandbox.options.js';
export { sandboxPlugin, type SandboxPluginOptions } from './sandbox.plugin.js';
export { startSandbox, type SandboxServer, type StartSandboxOptions } from './start-sandbox.js';
export {
  SANDBOX_DEFAULT_AVATAR,
  SANDBOX_USERS,
  sandboxOpenid,
  type SandboxUser,
  type SandboxUserConfig,
} from './test-users.js';
