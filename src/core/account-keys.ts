/**
 * The key of one account's entry: `{prefix}{appId}:{name}`. The braces around the appId are a
 * Redis Cluster hash tag: every key of one account (credentials, their locks, media locks) lives
 * in one hash slot, so a credential's value and its lock are always on the same node.
 */
export const accountKey = (prefix: string, appId: string, name: string): string => `${prefix}{${appId}}:${name}`;
