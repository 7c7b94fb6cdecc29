import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * The names each entry point of the built package exports at run time. A change here is a change of
 * the public face: add a name on purpose (and to the README), never by re-exporting an internal.
 */
describe('the public face of the package', () => {
  it('nest-wechat-h5 exports exactly what a host uses', async () => {
    const main = (await import(`${DIST}index.js`)) as Record<string, unknown>;
    expect(Object.keys(main).sort()).toEqual([
      'AccountRequiredError',
      'CARD_CONFIG_BODY_SCHEMA',
      'CHOOSE_CARD_CONFIG_SCHEMA',
      'CREDENTIAL_KINDS',
      'CredentialApiModule',
      'HttpProblem',
      'JSSDK_CONFIG_BODY_SCHEMA',
      'JSSDK_CONFIG_QUERY_SCHEMA',
      'LocalDiskMediaStorage',
      'MEDIA_ID_PATTERN',
      'MEDIA_OPTIONS',
      'MEDIA_STORAGE',
      'MediaModule',
      'MediaService',
      'MetricsModule',
      'OAUTH_OPTIONS',
      'OAuthModule',
      'OAuthService',
      'ProblemFilter',
      'PrometheusMetrics',
      'RateLimitGuard',
      'RemoteCredentialSource',
      'S3MediaStorage',
      'SignatureService',
      'StoreUnavailableError',
      'TicketService',
      'TokenService',
      'TranscodeError',
      'UnknownAccountError',
      'VoiceTranscoder',
      'WECHAT_OPTIONS',
      'WECHAT_STORE',
      'WECHAT_USER_MAPPER',
      'WX_CONFIG_SCHEMA',
      'WechatAccount',
      'WechatAccounts',
      'WechatApiClient',
      'WechatApiError',
      'WechatAuthGuard',
      'WechatEvents',
      'WechatModule',
      'WechatSessions',
      'WechatUnavailableError',
      'WechatUser',
      'addCredentialApiToOpenApi',
      'addJssdkToOpenApi',
      'cardSignature',
      'classifyErrcode',
      'defaultUserMapper',
      'errcodeHint',
      'isMediaRecord',
      'isTokenInvalidErrcode',
      'isValidMediaId',
      'jsapiSignature',
      'toProblem',
      'withoutFragment',
    ]);
  });

  it('nest-wechat-h5/browser is a dependency-free browser module: the helper, its error and the url rule', async () => {
    const text = await (await import('node:fs/promises')).readFile(`${DIST}browser/index.js`, 'utf8');
    const exported = [...text.matchAll(/^export (?:function|class|const) (\w+)/gm)].map((m) => m[1]).sort();
    expect(exported).toEqual(['WechatConfigError', 'configureWechat', 'isIosWechat', 'urlToSign']);
    // no import of any package: it runs in a page as it is
    expect(text).not.toMatch(/^import /m);
    const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(`${DIST}../package.json`, 'utf8'));
    expect(pkg.exports['./browser']).toEqual({ types: './dist/browser/index.d.ts', default: './dist/browser/index.js' });
  });

  it('nest-wechat-h5/sandbox exports the simulator, its server and plugin, and their options', async () => {
    const sandbox = (await import(`${DIST}sandbox/index.js`)) as Record<string, unknown>;
    expect(Object.keys(sandbox).sort()).toEqual([
      'SANDBOX_DEFAULT_ACCOUNT',
      'SANDBOX_USERS',
      'Sandbox',
      'sandboxPlugin',
      'startSandbox',
    ]);
  });
});
