import { MAX_TIMES } from './faults.js';
import type { FastifyPluginAsync } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import { faultProblem, type SandboxFault } from './faults.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';

/**
 * Control API for tests and humans under /__sandbox. It only reveals counts and endpoint names,
 * never tokens, tickets or account secrets.
 */
export const controlRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.get('/__sandbox/calls', (_req, reply) => sendJson(reply, sandbox.calls()));

  app.post('/__sandbox/reset-calls', (_req, reply) => {
    sandbox.resetCalls();
    return sendJson(reply, { ok: true });
  });

  app.get('/__sandbox/faults', (_req, reply) => {
    const pending = Object.fromEntries(sandbox.knownEndpoints().map((e) => [e, sandbox.faults.pending(e)]));
    return sendJson(reply, { endpoints: sandbox.knownEndpoints(), pending });
  });

  app.post('/__sandbox/faults', (req, reply) => {
    const body = parseJsonObject(req.body);
    if (!body) return sendJson(reply, { error: 'body must be a JSON object {endpoint, fault, times?}' }, 400);
    const { endpoint, fault, times = 1 } = body;
    if (typeof endpoint !== 'string' || !sandbox.isKnownEndpoint(endpoint)) {
      return sendJson(reply, { error: 'unknown endpoint', endpoints: sandbox.knownEndpoints() }, 400);
    }
    const problem = faultProblem(fault);
    if (problem) return sendJson(reply, { error: problem }, 400);
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > MAX_TIMES) {
      return sendJson(reply, { error: `times must be an integer in 1..${MAX_TIMES}` }, 400);
    }
    sandbox.injectFault(endpoint, fault as SandboxFault, times);
    return sendJson(reply, { ok: true, endpoint, pending: sandbox.faults.pending(endpoint) });
  });

  app.delete('/__sandbox/faults', (_req, reply) => {
    sandbox.clearFaults();
    return sendJson(reply, { ok: true });
  });
};
