import { handoffPage, handoffProblemPage } from './handoff-page.js';

const request = {
  browser: { userAgent: '<script>alert(1)</script> Chrome', ip: '203.0.113.9' },
  createdAt: Date.UTC(2026, 11, 8, 1, 2, 3),
  expiresAt: Date.UTC(2026, 11, 8, 1, 4, 3),
  state: 'scanned' as const,
};
const links = { confirmUrl: 'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&state=s"x', refuseUrl: '/r?state=s' };

describe('the handoff confirm page', () => {
  it('shows who asks, escaped, the time in UTC and what is left, with both choices', () => {
    const page = handoffPage(request, links, true, request.createdAt + 30_000);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Chrome');
    expect(page.html).toContain('<dd id="ip">203.0.113.9</dd>');
    expect(page.html).toContain('<dd id="asked">2026-12-08 01:02:03</dd>');
    expect(page.html).toContain('<dd>90 s</dd>');
    expect(page.html).toContain(
      'id="confirm" href="https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&amp;state=s&quot;x"',
    );
    expect(page.html).toContain('<form method="post" action="/r?state=s">');
    expect(page.html).not.toContain('Open this page in WeChat');
  });

  it('asks for WeChat outside it, and offers no choice once decided', () => {
    expect(handoffPage(request, links, false, request.createdAt).html).toContain('Open this page in WeChat');
    const done = handoffPage({ ...request, state: 'confirmed' }, undefined, true, request.createdAt);
    expect(done.html).toContain('You are logged in on the computer');
    expect(done.html).not.toContain('id="confirm"');
    expect(handoffPage({ ...request, state: 'refused' }, undefined, true, request.createdAt).html).toContain('not logged in');
    expect(handoffPage(request, undefined, true, request.expiresAt + 5000).html).toContain('<dd>0 s</dd>');
  });

  it('allows no script, no frame around it, and forms only to itself; its style is pinned by hash', () => {
    const { csp } = handoffPage(request, links, true, request.createdAt);
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    const problem = handoffProblemPage(410, 'gone <now>');
    expect(problem).toMatchObject({ status: 410, csp });
    expect(problem.html).toContain('no longer valid');
    expect(problem.html).toContain('gone &lt;now&gt;');
    expect(handoffProblemPage(404, 'x').html).toContain('No such login');
  });
});
