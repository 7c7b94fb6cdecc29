import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every name an entry's declaration file exports (values and types), as the TypeScript checker sees it. */
function declaredExports(entry: string): string[] {
  const program = ts.createProgram([join(DIST, entry)], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(join(DIST, entry))!)!;
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.getName())
    .sort();
}

/**
 * The public face of the built package. A change here is a change of what hosts learn: add a name on
 * purpose (and to the README), never by re-exporting an internal.
 */
describe('the public face of the package', () => {
  it('nest-wechat-h5 exports at most 40 names: the modules, the per-account door, the guard, options, seams and errors', async () => {
    const names = declaredExports('index.d.ts');
    expect(names.length).toBeLessThanOrEqual(40);
    expect(names).toEqual(
      expect.arrayContaining([
        'WechatModule',
        'OAuthModule',
        'MediaModule',
        'CredentialApiModule',
        'MetricsModule',
        'PayModule',
        'PayModuleOptions',
        'MessagesModule',
        'MessagesModuleOptions',
        'WechatMessageHandler',
        'PayOrders',
        'PayService',
        'WechatAccounts',
        'WechatAuthGuard',
        'WechatUser',
        'SessionUser',
        'WechatApiError',
        'Problem',
        'WECHAT_STORE',
        'MEDIA_STORAGE',
      ]),
    );
    // no schemas, resolved option shapes, module extras, or the thin doors that went
    for (const name of names) expect(name).not.toMatch(/SCHEMA|^Resolved|Extras$|^(Token|Ticket|Signature|OAuth)Service$/);
    const main = (await import(`${DIST}index.js`)) as Record<string, unknown>;
    expect(Object.keys(main).sort()).toEqual([
      'CredentialApiModule',
      'MEDIA_STORAGE',
      'MediaModule',
      'MessagesModule',
      'MetricsModule',
      'OAuthModule',
      'PayModule',
      'PayService',
      'Problem',
      'RateLimitGuard',
      'StoreUnavailableError',
      'WECHAT_STORE',
      'WECHAT_USER_MAPPER',
      'WechatAccounts',
      'WechatApiError',
      'WechatAuthGuard',
      'WechatModule',
      'WechatPayError',
      'WechatUnavailableError',
      'WechatUser',
      'addJssdkToOpenApi',
    ]);
  });

  it('nest-wechat-h5/sandbox exports at most 12 names', async () => {
    expect(declaredExports('sandbox/index.d.ts').length).toBeLessThanOrEqual(12);
    const sandbox = (await import(`${DIST}sandbox/index.js`)) as Record<string, unknown>;
    expect(Object.keys(sandbox).sort()).toEqual([
      'SANDBOX_DEFAULT_ACCOUNT',
      'SANDBOX_USERS',
      'Sandbox',
      'sandboxPlugin',
      'startSandbox',
    ]);
  });

  it('nest-wechat-h5/browser is a dependency-free browser module of at most 8 names', async () => {
    expect(declaredExports('browser/index.d.ts').length).toBeLessThanOrEqual(8);
    const text = await readFile(`${DIST}browser/index.js`, 'utf8');
    const exported = [...text.matchAll(/^export (?:async )?(?:function|class|const) (\w+)/gm)].map((m) => m[1]).sort();
    expect(exported).toEqual(['WechatConfigError', 'configureWechat', 'isIosWechat', 'payWithWechat', 'urlToSign']);
    // no import of any package: it runs in a page as it is
    expect(text).not.toMatch(/^import /m);
    const pkg = JSON.parse(await readFile(`${DIST}../package.json`, 'utf8'));
    expect(pkg.exports['./browser']).toEqual({ types: './dist/browser/index.d.ts', default: './dist/browser/index.js' });
  });

  it('no two things in src/ share a name', async () => {
    const declared = new Map<string, string[]>();
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          const text = await readFile(path, 'utf8');
          for (const [, name] of text.matchAll(
            /^export (?:declare )?(?:abstract )?(?:interface|type|class|function|const|enum) (\w+)/gm,
          ))
            declared.set(name!, [...(declared.get(name!) ?? []), path.slice(SRC.length)]);
        }
      }
    };
    await walk(SRC);
    expect([...declared].filter(([, files]) => files.length > 1)).toEqual([]);
  });

  it('the core imports no framework and no client library, the sandbox nothing of the product', async () => {
    const offenders: string[] = [];
    const walk = async (dir: string, check: (specifier: string, from: string) => boolean): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path, check);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          const text = await readFile(path, 'utf8');
          for (const [, specifier] of text.matchAll(/\bfrom\s+'([^']+)'/g))
            if (!check(specifier!, dir)) offenders.push(`${path.slice(SRC.length)}: ${specifier}`);
        }
      }
    };
    const FRAMEWORKS = /^(@nestjs\/|fastify$|@fastify\/|express$|express-|axios$|pg$|redis$|@redis\/)/;
    await walk(join(SRC, 'core'), (s) => !FRAMEWORKS.test(s) && !/\/(nest|service|store|transport|storage|sandbox)\//.test(s));
    // the sandbox's relative imports stay inside the sandbox
    const SANDBOX = join(SRC, 'sandbox');
    await walk(SANDBOX, (s, from) => !s.startsWith('.') || join(from, s).startsWith(SANDBOX));
    expect(offenders).toEqual([]);
  });
});
