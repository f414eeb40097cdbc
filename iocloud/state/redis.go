package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// errBadRedisURL replaces go-redis's parse error, which can quote the URL,
// password included.
var errBadRedisURL = errors.New("the Redis URL does not parse (use redis://[:password@]host:6379[/db], or rediss:// for TLS)")

// redisPrefix namespaces every key, so the store can share a Redis database
// with other applications.
const redisPrefix = "iocloud:"

// Redis is the store for several replicas. Single use is one SET NX with an
// expiry; the bounded sets are sorted sets scored by expiry (in the server's
// milliseconds) and changed by one Lua script each, so every check-and-write
// is atomic on the server whatever the replicas do.
type Redis struct {
	client *redis.Client
}

// OpenRedis parses a redis:// or rediss:// URL (password, database and TLS
// as go-redis reads them). It does not connect: see Ping.
func OpenRedis(url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, errBadRedisURL
	}
	// Fail fast: a guard waiting on a dead Redis keeps a person waiting.
	opts.DialTimeout = 2 * time.Second
	opts.ReadTimeout = 2 * time.Second
	opts.WriteTimeout = 2 * time.Second
	opts.MaxRetries = 1
	return &Redis{client: redis.NewClient(opts)}, nil
}

func (r *Redis) Kind() string { return "redis" }

func (r *Redis) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := r.client.SetNX(ctx, redisPrefix+"once:"+key, 1, atLeastMS(ttl)).Result()
	if err != nil {
		return false, unavailable("once", err)
	}
	return ok, nil
}

// acquireScript: KEYS[1] the set; ARGV member, ttl ms, limit. The server's
// own clock (TIME) scores entries, so replicas agree on what has expired.
var acquireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
local mine = redis.call('ZSCORE', KEYS[1], ARGV[1])
if mine or held < limit then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], tonumber(top[2]))
  return {1, redis.call('ZCARD', KEYS[1]), 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local frees = 0
if first[2] then frees = tonumber(first[2]) - now end
return {0, held, frees}
`)

func (r *Redis) Acquire(ctx context.Context, name, member string, ttl time.Duration, limit int) (Slot, error) {
	res, err := acquireScript.Run(ctx, r.client, []string{redisPrefix + "set:" + name},
		member, atLeastMS(ttl).Milliseconds(), limit).Int64Slice()
	if err != nil {
		return Slot{}, unavailable("acquire", err)
	}
	if len(res) != 3 {
		return Slot{}, unavailable("acquire", fmt.Errorf("unexpected script answer of %d values", len(res)))
	}
	return Slot{Acquired: res[0] == 1, Held: int(res[1]), FreesIn: time.Duration(res[2]) * time.Millisecond}, nil
}

func (r *Redis) Release(ctx context.Context, name, member string) error {
	if err := r.client.ZRem(ctx, redisPrefix+"set:"+name, member).Err(); err != nil {
		return unavailable("release", err)
	}
	return nil
}

func (r *Redis) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.client.Set(ctx, redisPrefix+"val:"+key, value, atLeastMS(ttl)).Err(); err != nil {
		return unavailable("put", err)
	}
	return nil
}

func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.client.Get(ctx, redisPrefix+"val:"+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, ErrNotFound
	case err != nil:
		return nil, unavailable("get", err)
	}
	return v, nil
}

func (r *Redis) Ping(ctx context.Context) error {
	return unavailable("ping", r.client.Ping(ctx).Err())
}

func (r *Redis) Close() error { return r.client.Close() }

// atLeastMS keeps a lifetime at one millisecond or more: Redis refuses a
// zero expiry, and a zero would mean "forever" to SET.
func atLeastMS(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return time.Millisecond
	}
	return d
}

// RouteRedisLogs sends go-redis's own messages (a pool that cannot dial, a
// reconnect) to logger at Warn, instead of its default stderr format. It is
// process-wide, as go-redis's logger is.
func RouteRedisLogs(logger *slog.Logger) {
	if logger != nil {
		redis.SetLogger(redisLogger{logger})
	}
}

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
