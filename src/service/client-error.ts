import type { Socket } from 'node:net';

/**
 * Requests Node's HTTP parser rejects before any route sees them (headers too large, malformed
 * request lines) still get the JSON error body, and the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'Request Header Fields Too Large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'Request Timeout']
        : [400, 'BAD_REQUEST', 'Bad Request'];
  const body = JSON.stringify({ statusCode: status, code, message: reason.toLowerCase() });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
