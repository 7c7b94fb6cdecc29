// Lua run atomically by Redis. KEYS[1] is the lock or counter; ARGV[1] the owner or window.

/** Deletes the lock only while ARGV[1] still owns it. */
export const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Extends the lock to ARGV[2] ms only while ARGV[1] still owns it. */
export const EXTEND_LOCK =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** ARGV[2] more hits (1, or negative to give some back) in a fixed window of ARGV[1] ms: { count, ms left }. */
export const HIT_WINDOW =
  "local c = redis.call('incrby', KEYS[1], ARGV[2]) " +
  "local t = redis.call('pttl', KEYS[1]) " +
  "if t < 0 then redis.call('pexpire', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end " +
  'return { c, t }';
