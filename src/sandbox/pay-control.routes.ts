import type { FastifyPluginAsync } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';
import { SandboxPayError } from './pay/pay-simulator.js';

const isOptionalBoolean = (v: unknown) => v === undefined || typeof v === 'boolean';

/**
 * Control API of the pay simulator: `POST /__sandbox/pay` plays the user paying an order (like sandbox.pay.pay()),
 * `GET /__sandbox/pay/deliveries/:outTradeNo` lists the notification POSTs. Never reveals keys.
 */
export const payControlRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.post('/__sandbox/pay', (req, reply) => {
    const body = parseJsonObject(req.body);
    const { order, user, probe, duplicate } = body ?? {};
    if (typeof order !== 'string' || (user !== undefined && typeof user !== 'string')) {
      return sendJson(
        reply,
        { error: 'body must be a JSON object {order (prepay_id or out_trade_no), user?, probe?, duplicate?}' },
        400,
      );
    }
    if (!isOptionalBoolean(probe) || !isOptionalBoolean(duplicate)) {
      return sendJson(reply, { error: 'probe and duplicate must be booleans' }, 400);
    }
    try {
      const transaction = sandbox.pay.pay(order, user, {
        probe: probe as boolean | undefined,
        duplicate: duplicate as boolean | undefined,
      });
      return sendJson(reply, { transaction });
    } catch (err) {
      if (err instanceof SandboxPayError) return sendJson(reply, { error: err.message, code: err.code }, 400);
      throw err;
    }
  });

  app.get('/__sandbox/pay/deliveries/:outTradeNo', (req, reply) =>
    sendJson(reply, { deliveries: sandbox.pay.deliveries((req.params as { outTradeNo: string }).outTradeNo) }),
  );
};
