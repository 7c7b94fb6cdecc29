export { CallCounter } from './call-counter.js';
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
export { CREDENTIAL_ENDPOINTS, SANDBOX_ENDPOINTS, type CredentialEndpoint } from './endpoints.js';
export { WECHAT_ERRMSG, wechatError, withRid, type WechatError } from './errors.js';
export { FaultQueue, faultProblem, type SandboxFault, type SandboxFaultKind } from './faults.js';
export { Sandbox } from './sandbox.js';
export {
  SANDBOX_DEFAULT_ACCOUNT,
  resolveSandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxAccount,
  type SandboxOptions,
} from './sandbox.options.js';
export { sandboxPlugin, type SandboxPluginOptions } from './sandbox.plugin.js';
export { startSandbox, type SandboxServer, type StartSandboxOptions } from './start-sandbox.js';
