import type { LogLevel } from '../logging.js';
import { Transform } from 'class-transformer';
import { availableParallelism } from 'node:os';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { parseTrustProxy } from './trust-proxy.js';
import { PayEnvironmentVariables, urlOptions } from './pay-env.schema.js';

// Reads the raw string: implicit conversion would already have turned "false" into true.
const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const value = obj[key];
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toTrimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The environment variables of the service; validated once at start-up. */
/** `host:port, host:port` (a host is a name, IPv4, or [IPv6]) */
const HOST_PORT_LIST = /^\s*(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}\s*(?:,\s*|$))*$/;

export class EnvironmentVariables extends PayEnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @Transform(toTrimmed)
  @Matches(/^wx[0-9a-zA-Z]{8,30}$/, { message: 'must look like a WeChat AppID (wx followed by letters and digits)' })
  WECHAT_APP_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'is too short to be an AppSecret' })
  WECHAT_APP_SECRET?: string;

  /** an Open Platform website application (网站应用): the website QR login */
  @IsOptional()
  @Transform(toTrimmed)
  @Matches(/^wx[0-9a-zA-Z]{8,30}$/, { message: 'must look like a WeChat AppID (wx followed by letters and digits)' })
  WECHAT_WEB_APP_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'is too short to be an AppSecret' })
  WECHAT_WEB_APP_SECRET?: string;

  @IsIn(['auto', 'true', 'false'], { message: 'must be auto, true or false' })
  WECHAT_SANDBOX: 'auto' | 'true' | 'false' = 'auto';

  @IsUrl(urlOptions, { message: 'must be an http(s) URL' })
  WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';

  @IsUrl(urlOptions, { message: 'must be an http(s) URL' })
  WECHAT_OPEN_BASE_URL = 'https://open.weixin.qq.com';

  @IsIn(['stable', 'classic'], { message: 'must be stable or classic' })
  WECHAT_TOKEN_MODE: 'stable' | 'classic' = 'stable';

  @IsString()
  @Matches(/^[a-zA-Z0-9.,*\s-]*$/, { message: 'must be a comma-separated list of host names' })
  WECHAT_JS_DOMAINS = '';

  @IsInt()
  @Min(100)
  @Max(60000)
  WECHAT_HTTP_TIMEOUT_MS: number = 5000;

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['redis', 'rediss'] },
    { message: 'must be a redis:// or rediss:// URL' },
  )
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  WECHAT_ACCOUNTS?: string;

  @IsString()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  REDIS_CLUSTER_NODES = '';

  @IsString()
  @Matches(HOST_PORT_LIST, { message: 'must be a comma-separated list of host:port' })
  REDIS_SENTINELS = '';

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be the master name the sentinels watch' })
  REDIS_SENTINEL_NAME?: string;

  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9:_.-]*$/, { message: 'may only hold letters, digits and : _ . -' })
  CACHE_KEY_PREFIX = 'wechat:';

  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(50)
  @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS: number = 1000;

  @IsInt({ message: 'must be a whole number (0 turns the limits off)' })
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE: number = 300;

  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS: number = 30_000;

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) origin such as https://h5.example.com' })
  PUBLIC_BASE_URL?: string;

  @IsIn(['snsapi_base', 'snsapi_userinfo'])
  OAUTH_SCOPE: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_userinfo';

  @IsOptional()
  @IsString()
  SESSION_SECRET?: string;

  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1)
  @Max(600)
  HANDOFF_TTL_S: number = 120;

  @IsString()
  @MinLength(1)
  MEDIA_DIR = './data/media';

  @IsInt({ message: 'must be a whole number of bytes' })
  @Min(1024)
  @Max(8 * 1024 ** 3)
  MEDIA_MAX_BYTES: number = 20 * 1024 * 1024;

  @IsIn(['owner', 'shared'], { message: 'must be owner or shared' })
  MEDIA_ACCESS: 'owner' | 'shared' = 'owner';

  @IsInt({ message: 'must be a whole number (0: no limit)' })
  @Min(0)
  @Max(1_000_000_000)
  MEDIA_MAX_PER_USER: number = 200;

  @IsIn(['disk', 's3'], { message: 'must be disk or s3' })
  MEDIA_STORAGE: 'disk' | 's3' = 'disk';

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL such as https://cos.ap-shanghai.myqcloud.com' })
  S3_ENDPOINT?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a bucket name (3-63 of a-z, 0-9, . and -)' })
  S3_BUCKET?: string;

  @IsOptional()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'must be a region name such as us-east-1 or ap-shanghai' })
  S3_REGION?: string;

  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  S3_FORCE_PATH_STYLE = false;

  @Matches(/^(?:[A-Za-z0-9_-]+\/)*$/, { message: 'must be empty or path segments ending in /, such as media/' })
  S3_PREFIX = 'media/';

  @IsString()
  @MinLength(1)
  FFMPEG_PATH = 'ffmpeg';

  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1000)
  @Max(3_600_000)
  MEDIA_TRANSCODE_TIMEOUT_MS: number = 60_000;

  @IsInt({ message: 'must be a whole number of ffmpeg processes' })
  @Min(1)
  @Max(1024)
  MEDIA_TRANSCODE_CONCURRENCY: number = availableParallelism();

  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  @Max(600_000)
  S3_REQUEST_TIMEOUT_MS: number = 10_000;

  @IsString()
  CORS_ORIGINS = '';

  /** false, a number of proxies in front, or their IPs/CIDRs (read by trust-proxy.ts) */
  @Transform(toTrimmed)
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && 'value' in parseTrustProxy(value),
      defaultMessage: () => 'must be false, a number of proxies (1, 2, ...), or comma-separated proxy IPs/CIDRs',
    },
  })
  TRUST_PROXY = 'false';

  /** a bearer /metrics asks for; empty: /metrics is open (refused in production unless METRICS_PUBLIC=true) */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  METRICS_TOKEN?: string;

  @IsInt({ message: 'must be a whole number (0: reports never refresh)' })
  @Min(0)
  @Max(1000)
  CREDENTIAL_REPORT_MAX_PER_HOUR: number = 10;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'must be true or false' })
  OPENAPI_DOCS?: boolean;

  /** `consumer:secret,...` (or `consumer@appId1|appId2:secret`) allowed to read credentials; empty: the credential API does not exist */
  @IsString()
  CREDENTIAL_API_TOKENS = '';

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL (where the central service mounts its credential API)' })
  WECHAT_CREDENTIAL_SOURCE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  WECHAT_CREDENTIAL_SOURCE_TOKEN?: string;

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL such as http://egress.internal:3128' })
  WECHAT_HTTP_PROXY?: string;

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL such as http://egress.internal:3128' })
  HTTPS_PROXY?: string;

  @IsOptional()
  @IsUrl(urlOptions, { message: 'must be an http(s) URL such as http://egress.internal:3128' })
  https_proxy?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'silent'])
  LOG_LEVEL: LogLevel = 'info';
}
