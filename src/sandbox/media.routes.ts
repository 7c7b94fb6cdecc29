import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxRouteOptions } from './credential.routes.js';
import type { MediaEndpoint } from './endpoints.js';
import { queryParam, runEndpoint, sendJson } from './http-reply.js';
import { MEDIA_VIDEO_PATH } from './media-control.routes.js';
import { sendCutMedia, sendMediaBytes, sendMediaError } from './media-reply.js';

// the Host header is client input that ends up in a url: accept only host[:port] characters
const HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

function videoUrl(req: FastifyRequest, prefix: string, mediaId: string): string {
  const host = HOST.test(req.host) ? req.host : '127.0.0.1';
  return `${req.protocol}://${host}${prefix}${MEDIA_VIDEO_PATH}/${mediaId}.mp4`;
}

/** cgi-bin/media/get (amr voice, jpeg image/thumb, video as a url) and cgi-bin/media/get/jssdk (speex voice). */
export const mediaRoutes: FastifyPluginAsync<SandboxRouteOptions> = async (app, { sandbox }) => {
  const prefix = app.prefix;

  const download = (endpoint: MediaEndpoint, hd: boolean) => (req: FastifyRequest, reply: FastifyReply) => {
    // cutAfter: set when a 'cut' fault is being applied to this call
    const answer = (cutAfter?: number) => {
      const check = sandbox.state.checkAccessToken(queryParam(req, 'access_token'));
      if (!check.ok) return sendMediaError(reply, check);
      const result = sandbox.media.download(check.appId, queryParam(req, 'media_id'), hd);
      if (!result.ok) return sendMediaError(reply, result);
      const media = result.body;
      // WeChat does not send video bytes here, only where to fetch them
      if (media.kind === 'video') return sendJson(reply, { video_url: videoUrl(req, prefix, media.mediaId) });
      return cutAfter === undefined ? sendMediaBytes(reply, media) : sendCutMedia(reply, media, cutAfter);
    };
    return runEndpoint(sandbox, endpoint, req, reply, () => answer(), { sendError: sendMediaError, cut: answer });
  };

  // no automatic HEAD: it would count as a download and use up quota
  app.get('/cgi-bin/media/get', { exposeHeadRoute: false }, download('cgi-bin/media/get', false));
  app.get('/cgi-bin/media/get/jssdk', { exposeHeadRoute: false }, download('cgi-bin/media/get/jssdk', true));
};
