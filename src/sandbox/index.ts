// The sandbox's public face (12 names at most): the simulator, its server and plugin, and what a test passes them.
export { Sandbox } from './sandbox.js';
export { SANDBOX_DEFAULT_ACCOUNT, type SandboxAccount, type SandboxOptions } from './sandbox.options.js';
export { sandboxPlugin } from './sandbox.plugin.js';
export { startSandbox, type SandboxServer, type StartSandboxOptions } from './start-sandbox.js';
export type { SandboxFault } from './faults.js';
export type { MediaSpec } from './media-store.js';
export { SANDBOX_USERS, type SandboxUser } from './test-users.js';
