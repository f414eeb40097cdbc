package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
	"github.com/iocloud-chatops/iocloud/tools"
)

// Validate checks what both servers share. sandbox means io.net is the
// built-in simulator, so no API key is needed. It returns the first problem,
// as an *Error naming the variable.
func (c Core) Validate(sandbox bool) error {
	if !sandbox && !c.APIKey.IsSet() {
		return problem("IOCLOUD_API_KEY", "not set (set it to your io.net API key, or run with --sandbox to use the built-in simulator)")
	}
	if err := checkHTTPURL("IOCLOUD_BASE_URL", c.BaseURL, "https://api.io.solutions", c.secrets()); err != nil {
		return err
	}
	if c.Timeout <= 0 {
		return problem("IOCLOUD_TIMEOUT", "%s is not more than zero (use e.g. 15s or 1m)", formatDuration(c.Timeout))
	}
	if c.CacheTTL < 0 {
		return problem("IOCLOUD_CACHE_TTL", "%s is negative (use 0 to turn the cache off, or e.g. 10s)", formatDuration(c.CacheTTL))
	}
	if c.KeyDefaultTTL <= 0 {
		return problem("IOCLOUD_KEY_DEFAULT_TTL", "%s is not more than zero (use hours, e.g. 720h for 30 days)", formatDuration(c.KeyDefaultTTL))
	}
	if c.KeyMaxTTL <= 0 {
		return problem("IOCLOUD_KEY_MAX_TTL", "%s is not more than zero (use hours, e.g. 4320h for 180 days)", formatDuration(c.KeyMaxTTL))
	}
	if c.KeyMaxTTL < c.KeyDefaultTTL {
		return problem("IOCLOUD_KEY_MAX_TTL", "%s is shorter than IOCLOUD_KEY_DEFAULT_TTL (%s) (raise it, or lower IOCLOUD_KEY_DEFAULT_TTL)",
			formatDuration(c.KeyMaxTTL), formatDuration(c.KeyDefaultTTL))
	}
	scopes := strings.Join(iocloud.KnownScopes(), ", ")
	if len(c.KeyScopes) == 0 {
		return problem("IOCLOUD_KEY_SCOPES", "no scope listed (use one or more of %s, comma-separated)", scopes)
	}
	for _, s := range c.KeyScopes {
		if !slices.Contains(iocloud.KnownScopes(), s) {
			return problem("IOCLOUD_KEY_SCOPES", "%s is not a scope (use one or more of %s, comma-separated)", describeValue(s, c.secrets()), scopes)
		}
	}
	if c.ConfirmSecret.IsSet() && len(c.ConfirmSecret.Reveal()) < guard.MinConfirmSecretLength {
		return problem("IOCLOUD_CONFIRM_SECRET", "shorter than %d characters (use a long random value, e.g. from openssl rand -hex 32, or unset it for a random key per process)", guard.MinConfirmSecretLength)
	}
	if err := checkState(c.State.Reveal()); err != nil {
		return err
	}
	if c.ConfirmSecret.IsSet() && !state.Durable(c.State.Reveal()) {
		return problem("IOCLOUD_CONFIRM_SECRET", "is set while IOCLOUD_STATE is memory: a shared ticket key needs a durable store, "+
			"or a restart or a second replica would accept a used confirmation again (set IOCLOUD_STATE=file:/var/lib/iocloud/state.db "+
			"or redis://host:6379, or unset IOCLOUD_CONFIRM_SECRET)")
	}
	if c.KeyMaxPending < 1 {
		return problem("IOCLOUD_KEY_MAX_PENDING", "%d is less than 1 (use the number of open previews one person may have, e.g. 5)", c.KeyMaxPending)
	}
	if c.KeyMaxPerDay < 1 {
		return problem("IOCLOUD_KEY_MAX_PER_DAY", "%d is less than 1 (use the number of keys one person may create in 24 hours, e.g. 20)", c.KeyMaxPerDay)
	}
	return nil
}

// checkState accepts memory, file:PATH, redis:// and rediss:// without
// echoing the value (a Redis URL may hold a password).
func checkState(spec string) error {
	if err := state.CheckSpec(spec); err != nil {
		return problem("IOCLOUD_STATE", "%s", err.Error())
	}
	return nil
}

// secrets are the values no message may echo.
func (c Core) secrets() []string {
	return []string{c.APIKey.Reveal(), c.JWT.Reveal(), c.ConfirmSecret.Reveal(), statePassword(c.State.Reveal())}
}

func (m MCP) secrets() []string {
	return append(m.Core.secrets(), m.AuthToken.Reveal())
}

// Validate checks cmd/iocloud-mcp's settings after flags were applied.
func (m MCP) Validate(sandbox bool) error {
	if err := m.Core.Validate(sandbox); err != nil {
		return err
	}
	if m.Transport != "stdio" && m.Transport != "http" {
		return problem("IOCLOUD_MCP_TRANSPORT", "%s is not a transport (use stdio or http, here or with --transport)", describeValue(m.Transport, m.secrets()))
	}
	host, err := checkAddr("IOCLOUD_MCP_ADDR", m.Addr, "127.0.0.1:8080", "--addr", m.secrets())
	if err != nil {
		return err
	}
	if m.Transport == "http" && !m.authenticates() && !isLoopbackHost(host) {
		return problem("IOCLOUD_MCP_AUTH_TOKEN", "required because IOCLOUD_MCP_ADDR %s is reachable beyond this machine (set a long random bearer token, e.g. from openssl rand -hex 32, or IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_OAUTH_ISSUER, or listen on 127.0.0.1)",
			strconv.Quote(m.Addr))
	}
	if err := m.validateIdentity(host); err != nil {
		return err
	}
	if modes := tools.ConfirmModes(); !slices.Contains(modes, m.Confirm) {
		return problem("IOCLOUD_MCP_CONFIRM", "%s is not a confirmation mode (use %s)", describeValue(m.Confirm, m.secrets()), orList(modes))
	}
	if m.KeyOutputDir != "" {
		info, err := os.Stat(m.KeyOutputDir)
		switch {
		case err != nil:
			return problem("IOCLOUD_KEY_OUTPUT_DIR", "%s cannot be used: %s (create the directory, mode 0700, or unset the variable)",
				quoteLong(m.KeyOutputDir, m.secrets()), statProblem(err))
		case !info.IsDir():
			return problem("IOCLOUD_KEY_OUTPUT_DIR", "%s is not a directory (name a directory, mode 0700, or unset the variable)", quoteLong(m.KeyOutputDir, m.secrets()))
		}
	}
	return nil
}

// checkHTTPURL accepts an absolute http(s) URL without credentials, query or
// fragment, plain http only on loopback: what goes there carries our
// credentials. The URL is quoted back with any password masked, and not at
// all when it holds one of secrets.
func checkHTTPURL(name, raw, example string, secrets []string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// The raw text may hold credentials (user:password@), so it is not
		// echoed.
		return problem(name, "is not a URL (use e.g. %s)", example)
	}
	shown := strconv.Quote(u.Redacted())
	if holdsSecret(raw, secrets) {
		shown = notShown(raw)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return problem(name, "%s is not an http(s) URL (use e.g. %s)", shown, example)
	case u.User != nil:
		return problem(name, "%s must not contain a user name or password (use e.g. %s)", shown, example)
	case u.RawQuery != "" || u.Fragment != "":
		return problem(name, "%s must not have a query or fragment (use e.g. %s)", shown, example)
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return problem(name, "%s uses plain http off loopback (use https://, or http:// only with 127.0.0.1, ::1 or localhost)", shown)
	}
	return nil
}

// checkAddr accepts a listen address host:port (host may be empty) and
// returns the host.
// flag, when not empty, is the command-line flag that also sets it.
func checkAddr(name, addr, example, flag string, secrets []string) (string, error) {
	where := ""
	if flag != "" {
		where = ", here or with " + flag
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", problem(name, "%s is not host:port (use e.g. %s%s)", describeValue(addr, secrets), example, where)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", problem(name, "%s has no valid port (use a number up to 65535, e.g. %s%s)", describeValue(addr, secrets), example, where)
	}
	return host, nil
}

// isLoopbackHost reports whether host is localhost, 127.0.0.0/8 or ::1.
// An empty host (":8080") listens on every interface, so it is not.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// statProblem says why a path cannot be used, without Go's "stat <path>:"
// prefix (the path is already in the message).
func statProblem(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
}

// formatDuration writes whole hours as "720h" rather than "720h0m0s".
func formatDuration(d time.Duration) string {
	if d != 0 && d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// statePassword is the password in a Redis IOCLOUD_STATE URL ("" if none):
// the one part of that setting no message may echo.
func statePassword(spec string) string {
	u, err := url.Parse(spec)
	if err != nil || u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}

// orList writes items as "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
