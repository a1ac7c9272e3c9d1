/**
 * The client limits shared by every replica through Redis ({@code namegate.limits.store=redis}):
 * one Lua script per request ({@link dev.namegate.limits.redis.RedisClientLimitStore}), this
 * replica's memory while Redis fails or is late ({@link dev.namegate.limits.redis.SharedLimitStore}),
 * and the choice of store when the context starts
 * ({@link dev.namegate.limits.redis.SharedLimitsConfiguration}). Depends on {@code limits}, never
 * the other way round.
 */
package dev.namegate.limits.redis;
