import { createHash } from 'node:crypto';
import type { AuthorizeProblem, AuthorizeRequest } from './authorize-request.js';
import type { SandboxUser } from './test-users.js';

/** An HTML answer and the content-security-policy that goes with it. */
export interface HtmlPage {
  html: string;
  csp: string;
}

export const PAGE_TITLE = 'WeChat sandbox — simulated authorization';
export const QR_PAGE_TITLE = 'WeChat sandbox — simulated website QR login';

const CSS = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#ededed;color:#191919}',
  'main{max-width:30rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}',
  'h1{font-size:1.2rem}.note{color:#b35c00;font-size:.9rem}code{word-break:break-all}',
  'label{display:block;padding:.5rem 0}small{color:#888}fieldset{border:1px solid #ddd;margin:1rem 0}',
  'button{font-size:1rem;padding:.6rem 1.5rem;margin-right:.5rem;border:0;border-radius:4px}',
  '#allow{background:#07c160;color:#fff}#deny{background:#f2f2f2;color:#191919}',
  '.qr{width:10rem;height:10rem;border:.6rem solid #191919;display:flex;align-items:center;justify-content:center;margin:1rem auto;font-family:monospace}',
].join('');
const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for element content and quoted attributes. C0 controls (the `ctrl` user) become their
 * visible "control picture", since HTML has no valid way to carry them.
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
    (ch) => HTML_ESCAPES[ch] ?? String.fromCharCode(0x2400 + ch.charCodeAt(0)),
  );
}

/** No scripts, no images, no foreign styles; the form may only go to us (and on, via 302, to redirect_uri). */
function csp(formTargets: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${CSS_HASH}'`,
    `form-action ${formTargets}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="note">This page is a local simulator of WeChat's authorization page, not WeChat. No real account is involved.</p>
${body}
</main>
</body>
</html>
`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

function userOption(user: SandboxUser, openid: string, checked: boolean): string {
  const note = user.snapshot ? ', snapshot-page virtual user' : '';
  return (
    `<label><input type="radio" name="user" value="${escapeHtml(user.key)}"${checked ? ' checked' : ''}> ` +
    `${escapeHtml(user.nickname)} <small>(${escapeHtml(user.key)}${note}; openid ${escapeHtml(openid)})</small></label>`
  );
}

export interface ConsentInput {
  request: AuthorizeRequest;
  users: readonly SandboxUser[];
  /** Openid of each user for request.appId. */
  openidOf: (userKey: string) => string;
}

/**
 * The snsapi_userinfo consent page, or a website application's QR login page (snsapi_login), where a
 * test user "scans" the code; posts to the relative `authorize/confirm` (`qrconnect/confirm`) so any mount prefix works.
 */
export function consentPage({ request, users, openidOf }: ConsentInput): HtmlPage {
  const checked = request.user ?? users[0]?.key;
  const qr = request.scope === 'snsapi_login';
  const ask = qr
    ? `<div class="qr" id="qr">QR ${escapeHtml(request.state.slice(0, 8) || 'login')}</div>
<p>Website application <code>${escapeHtml(request.appId)}</code>: scan this code with WeChat to log in
(scope <code>snsapi_login</code>). Here, a test user "scans" it. You will return to:</p>`
    : `<p>The page of app <code>${escapeHtml(request.appId)}</code> asks for your nickname and avatar
(scope <code>${escapeHtml(request.scope)}</code>). You will return to:</p>`;
  const body = `${ask}
<p><code>${escapeHtml(request.redirectUri)}</code></p>
<form method="post" action="${qr ? 'qrconnect/confirm' : 'authorize/confirm'}">
${hidden('appid', request.appId)}
${hidden('redirect_uri', request.redirectUri)}
${hidden('scope', request.scope)}
${hidden('state', request.state)}
<fieldset>
<legend>${qr ? 'Scan as test user' : 'Continue as test user'}</legend>
${users.map((u) => userOption(u, openidOf(u.key), u.key === checked)).join('\n')}
</fieldset>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`;
  // Chrome applies form-action to the redirect after the POST too, so the target origin must be listed
  return { html: layout(qr ? QR_PAGE_TITLE : PAGE_TITLE, body), csp: csp(`'self' ${new URL(request.redirectUri).origin}`) };
}

/** What WeChat shows instead of redirecting: an error page (HTTP 200) labelled with its code. */
export function errorPage({ code, message }: AuthorizeProblem): HtmlPage {
  const body = `<p class="error" data-errcode="${code}">Error ${code}: ${escapeHtml(message)}</p>`;
  return { html: layout('WeChat sandbox — authorization error', body), csp: csp("'none'") };
}
