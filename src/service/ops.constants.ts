/** Whether the service runs against its built-in simulator (reported by /health). */
export const SANDBOX_FLAG = Symbol('SANDBOX_FLAG');
