// The sandbox's public face: the simulator, its server and plugin, their options and types.
export { Sandbox, type AuthorizeOptions } from './sandbox.js';
export { SANDBOX_DEFAULT_ACCOUNT, type SandboxAccount, type SandboxOptions } from './sandbox.options.js';
export { sandboxPlugin, type SandboxPluginOptions } from './sandbox.plugin.js';
export { startSandbox, type SandboxServer, type StartSandboxOptions } from './start-sandbox.js';
export type { SandboxFault, SandboxFaultKind } from './faults.js';
export type { MediaEncoding, MediaSpec, MediaType } from './media-store.js';
export { SANDBOX_USERS, type SandboxUser, type SandboxUserConfig } from './test-users.js';
