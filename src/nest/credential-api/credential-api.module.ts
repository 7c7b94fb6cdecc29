import { ConfigurableModuleBuilder, Logger, Module } from '@nestjs/common';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { normalizePrefix } from '../http/with-controllers.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { RefreshBudget } from '../../core/credentials/refresh-budget.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { checkConsumers, parseConsumers, type CredentialConsumer } from '../../core/credentials/consumers.js';
import {
  CREDENTIAL_API_CONSUMERS,
  CREDENTIAL_API_MOUNT,
  CREDENTIAL_API_REPORTS,
  CredentialApiRoutes,
  DEFAULT_CREDENTIAL_API_MOUNT,
} from './credential-api.routes.js';
import type { ReportRules } from '../../core/credentials/credential-desk.js';
import { ReportedTokenCheck } from '../../core/credentials/reported-token-check.js';

export interface CredentialApiModuleOptions {
  /**
   * Who may read credentials: a list of `{ name, secret }`, or the `consumer:secret,...` form of
   * CREDENTIAL_API_TOKENS. Each secret at least 32 characters; names appear in logs and metrics.
   */
  consumers: CredentialConsumer[] | string;
  /**
   * Refreshes of an account's access_token that consumers' reports may cause per hour (reports
   * WeChat confirmed); past it 429 REFRESH_BUDGET_EXHAUSTED. Default 10.
   */
  reportMaxPerHour?: number;
}

export const DEFAULT_REPORT_MAX_PER_HOUR = 10;
/** One question to WeChat per account in this window decides every report of it. */
const REPORT_CHECK_INTERVAL_MS = 5000;

function reportRules(
  options: CredentialApiModuleOptions,
  store: WechatStore,
  wechat: ResolvedWechatOptions,
  accounts: WechatAccounts,
  budget: RefreshBudget,
): ReportRules {
  const maxPerHour = options.reportMaxPerHour ?? DEFAULT_REPORT_MAX_PER_HOUR;
  if (!Number.isSafeInteger(maxPerHour) || maxPerHour < 0)
    throw new Error('CredentialApiModule: reportMaxPerHour must be a whole number, 0 or more');
  const { attempts, maxDelayMs } = wechat.retryPolicy;
  const check = new ReportedTokenCheck(
    store,
    wechat.keyPrefix,
    (appId, value) => accounts.get(appId).tokens.isRejectedByWechat(value),
    // a report waits at most as long as the question with its retries may take
    { intervalMs: REPORT_CHECK_INTERVAL_MS, waitMs: attempts * (wechat.httpTimeoutMs + maxDelayMs), pollMs: 50 },
  );
  return { check, budget, keyPrefix: wechat.keyPrefix, maxPerHour, log: new Logger('CredentialApi') };
}

export interface CredentialApiModuleExtras {
  /** mount the routes under this path instead of wechat/credentials */
  routePrefix?: string;
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<CredentialApiModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCredentialApiOptions')
  .setExtras<CredentialApiModuleExtras>({ routePrefix: undefined }, (definition, extras) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      {
        provide: CREDENTIAL_API_MOUNT,
        useValue: extras.routePrefix === undefined ? DEFAULT_CREDENTIAL_API_MOUNT : `/${normalizePrefix(extras.routePrefix)}`,
      },
    ],
  }))
  .build();

function resolveConsumers(options: CredentialApiModuleOptions): CredentialConsumer[] {
  if (typeof options.consumers !== 'string') return checkConsumers(options.consumers ?? []);
  const { consumers, problems } = parseConsumers(options.consumers);
  if (problems.length) throw new Error(`CredentialApiModule: consumers: ${problems[0]}`);
  return consumers;
}

/**
 * The central credential server (中控): other services of the same Official Accounts read the
 * access_token and tickets from this service instead of calling WeChat themselves
 * (`GET /wechat/credentials/:appId/:kind`, `POST /wechat/credentials/:appId/access_token/invalid`,
 * bearer per consumer). Needs WechatModule (its accounts, cache and rate limit).
 */
@Module({
  providers: [
    CredentialApiRoutes,
    {
      provide: CREDENTIAL_API_CONSUMERS,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: CredentialApiModuleOptions) => {
        const consumers = resolveConsumers(options);
        if (consumers.length === 0) throw new Error('CredentialApiModule: consumers lists no consumer');
        return consumers;
      },
    },
    {
      provide: CREDENTIAL_API_REPORTS,
      inject: [MODULE_OPTIONS_TOKEN, WECHAT_STORE, WECHAT_OPTIONS, WechatAccounts, RefreshBudget],
      useFactory: reportRules,
    },
  ],
  exports: [CredentialApiRoutes],
})
export class CredentialApiModule extends ConfigurableModuleClass {}
