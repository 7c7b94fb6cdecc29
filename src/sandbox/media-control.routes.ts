import type { FastifyPluginAsync } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import { parseJsonObject, sendJson, useRawBodies } from './http-reply.js';
import { sendMediaBytes } from './media-reply.js';
import { isMediaId, mediaSpecProblem, type MediaSpec } from './media-store.js';

/** Where video_url points: the sandbox plays WeChat's download server too. */
export const MEDIA_VIDEO_PATH = '/__sandbox/media-video';

/** Control API: register temporary media as if uploaded (or sent by a user); serve video urls. */
export const mediaControlRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  useRawBodies(app);

  app.post('/__sandbox/media', (req, reply) => {
    const body = parseJsonObject(req.body);
    if (!body) {
      return sendJson(reply, { error: 'body must be a JSON object {appId?, type, size, mediaId?, filename?}' }, 400);
    }
    const appId = body.appId ?? sandbox.options.accounts[0].appId;
    if (typeof appId !== 'string' || !sandbox.options.accounts.some((a) => a.appId === appId)) {
      return sendJson(reply, { error: 'unknown appId' }, 400);
    }
    const problem = mediaSpecProblem(body);
    if (problem) return sendJson(reply, { error: problem }, 400);
    const { type, size, mediaId, filename } = body as unknown as MediaSpec;
    return sendJson(reply, { mediaId: sandbox.registerMedia(appId, { type, size, mediaId, filename }) });
  });

  app.get(`${MEDIA_VIDEO_PATH}/:file`, { exposeHeadRoute: false }, (req, reply) => {
    const file = (req.params as { file: string }).file;
    const mediaId = file.endsWith('.mp4') ? file.slice(0, -4) : '';
    const video = isMediaId(mediaId) ? sandbox.media.videoFile(mediaId) : undefined;
    if (!video) return sendJson(reply, { error: 'no such video (unknown or expired)' }, 404);
    return sendMediaBytes(reply, video);
  });
};
