import { createHash } from 'node:crypto';
import { htmlText } from '../../core/html.js';
import type { HandoffRequest } from '../../core/oauth/handoff.js';

/**
 * The page a phone opens from the computer's QR code: who asks (browser, IP, time) before the user
 * lets a computer log in as them, so a QR code someone else shows them (QR-login hijacking) is seen
 * for what it is. No script, no image, nothing from elsewhere.
 */

const CSS = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#ededed;color:#191919}',
  'main{max-width:30rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}',
  'h1{font-size:1.2rem}dt{color:#888;font-size:.85rem}dd{margin:0 0 .6rem;word-break:break-word}',
  '.warn{color:#b35c00;font-size:.9rem}form{display:inline}',
  '.button{display:inline-block;font-size:1rem;padding:.6rem 1.5rem;margin:.5rem .5rem 0 0;border:0;border-radius:4px;',
  'text-decoration:none;cursor:pointer}#confirm{background:#07c160;color:#fff}#refuse{background:#f2f2f2;color:#191919}',
].join('');
const CSS_HASH = createHash('sha256').update(CSS).digest('base64');

export interface HandoffPage {
  status: number;
  html: string;
  csp: string;
}

const csp = () =>
  [
    "default-src 'none'",
    `style-src 'sha256-${CSS_HASH}'`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

function page(status: number, title: string, body: string): HandoffPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${htmlText(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${htmlText(title)}</h1>
${body}
</main>
</body>
</html>
`;
  return { status, html, csp: csp() };
}

export interface ConfirmLinks {
  /** WeChat's authorize page, whose callback binds this user to the ticket */
  confirmUrl: string;
  /** where "Not me" posts */
  refuseUrl: string;
}

/** The question, with who asked; or what became of the login. */
export function handoffPage(
  request: HandoffRequest,
  links: ConfirmLinks | undefined,
  inWechat: boolean,
  now: number,
): HandoffPage {
  if (request.state === 'confirmed') {
    return page(200, 'Logged in on the computer', '<p id="done">You are logged in on the computer. You can close this page.</p>');
  }
  if (request.state === 'refused') return page(200, 'Login refused', '<p id="done">The computer was not logged in.</p>');
  const asked = new Date(request.createdAt).toISOString().replace('T', ' ').slice(0, 19);
  const left = Math.max(0, Math.round((request.expiresAt - now) / 1000));
  const body = [
    '<p>A computer asks to log in with your WeChat account. Only go on if you are looking at that computer yourself.</p>',
    '<dl>',
    `<dt>Browser</dt><dd id="browser">${htmlText(request.browser.userAgent || 'unknown')}</dd>`,
    `<dt>IP address</dt><dd id="ip">${htmlText(request.browser.ip || 'unknown')}</dd>`,
    `<dt>Asked at (UTC)</dt><dd id="asked">${htmlText(asked)}</dd>`,
    `<dt>Valid for</dt><dd>${left} s</dd>`,
    '</dl>',
    inWechat ? '' : '<p class="warn">Open this page in WeChat: log in works inside WeChat only.</p>',
    links
      ? `<a class="button" id="confirm" href="${htmlText(links.confirmUrl)}">Log in on the computer</a>` +
        `<form method="post" action="${htmlText(links.refuseUrl)}"><button class="button" id="refuse" type="submit">Not me</button></form>`
      : '',
  ];
  return page(200, 'Log in on a computer?', body.join('\n'));
}

/** A ticket that cannot be used: unknown (404), expired or already used (410). */
export function handoffProblemPage(status: number, message: string): HandoffPage {
  return page(
    status,
    status === 404 ? 'No such login' : 'This login QR code is no longer valid',
    `<p id="problem">${htmlText(message)}</p>`,
  );
}
