package config

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Who may call iocloud-mcp over HTTP, and from where: the identity rows of
// DESIGN.md (IOCLOUD_MCP_PUBLIC_URL, _OAUTH_ISSUER, _OAUTH_AUDIENCE,
// _TOKENS_FILE, _KEY_CREATORS, _ALLOWED_ORIGINS).

// tokenName is what a name in IOCLOUD_MCP_TOKENS_FILE may look like: it
// becomes the actor "token:<name>" in tickets and audit records, so it is
// kept to characters that need no escaping anywhere.
var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$`)

// maxTokensFile bounds what is read of IOCLOUD_MCP_TOKENS_FILE.
const maxTokensFile = 1 << 20

// sharedTokenName is the name the shared IOCLOUD_MCP_AUTH_TOKEN goes by
// ("token:shared"), so no named token may take it.
const sharedTokenName = "shared"

// NamedToken is one line of IOCLOUD_MCP_TOKENS_FILE: a person's name and the
// SHA-256 of their bearer token. The token itself is never stored.
type NamedToken struct {
	Name   string
	SHA256 [sha256.Size]byte
}

// authenticates reports whether HTTP callers must identify themselves.
func (m MCP) authenticates() bool {
	return m.AuthToken.IsSet() || m.TokensFile != "" || m.OAuthIssuer != ""
}

// validateIdentity checks the identity rows; host is IOCLOUD_MCP_ADDR's host.
func (m MCP) validateIdentity(host string) error {
	if m.PublicURL != "" {
		if err := checkHTTPURL("IOCLOUD_MCP_PUBLIC_URL", m.PublicURL, "https://mcp.example.com", m.secrets()); err != nil {
			return err
		}
	}
	if m.OAuthIssuer != "" {
		if err := checkHTTPURL("IOCLOUD_MCP_OAUTH_ISSUER", m.OAuthIssuer, "https://login.example.com/realms/team", m.secrets()); err != nil {
			return err
		}
	}
	if m.OAuthAudience != "" && m.OAuthIssuer == "" {
		return problem("IOCLOUD_MCP_OAUTH_AUDIENCE", "is set but IOCLOUD_MCP_OAUTH_ISSUER is not (set the issuer too, or unset the audience)")
	}
	if m.Transport == "http" && m.OAuthIssuer != "" && m.PublicURL == "" && !isLoopbackHost(host) {
		return problem("IOCLOUD_MCP_PUBLIC_URL", "required with IOCLOUD_MCP_OAUTH_ISSUER when IOCLOUD_MCP_ADDR %s is reachable beyond this machine "+
			"(set the URL clients reach the server at, e.g. https://mcp.example.com; it names the resource tokens are for)", strconv.Quote(m.Addr))
	}
	if m.TokensFile != "" {
		info, err := os.Stat(m.TokensFile)
		switch {
		case err != nil:
			return problem("IOCLOUD_MCP_TOKENS_FILE", "%s cannot be used: %s (create it with one \"name sha256:<hex>\" line per person, or unset the variable)",
				strconv.Quote(m.TokensFile), statProblem(err))
		case !info.Mode().IsRegular():
			return problem("IOCLOUD_MCP_TOKENS_FILE", "%s is not a regular file (name the tokens file, or unset the variable)", strconv.Quote(m.TokensFile))
		case info.Mode().Perm()&0o022 != 0:
			return problem("IOCLOUD_MCP_TOKENS_FILE", "%s is writable by group or others, who could add their own token (chmod 600 or 644 it)", strconv.Quote(m.TokensFile))
		}
	}
	for _, o := range m.AllowedOrigins {
		if err := checkOrigin(o, m.secrets()); err != nil {
			return err
		}
	}
	return m.validateKeyCreators()
}

// validateKeyCreators checks every IOCLOUD_MCP_KEY_CREATORS entry's form, and,
// over HTTP, that the server can identify the callers it names.
func (m MCP) validateKeyCreators() error {
	const name = "IOCLOUD_MCP_KEY_CREATORS"
	if len(m.KeyCreators) > 0 && m.Transport == "http" && !m.authenticates() {
		return problem(name, "is set but HTTP callers are not identified, so nobody could be matched "+
			"(set IOCLOUD_MCP_OAUTH_ISSUER, IOCLOUD_MCP_TOKENS_FILE or IOCLOUD_MCP_AUTH_TOKEN, or unset it)")
	}
	for _, c := range m.KeyCreators {
		shown := describeValue(c, m.secrets())
		kind, rest, _ := strings.Cut(c, ":")
		switch {
		case kind == "oauth" && rest != "", iocloud.IsAddressEntry(c):
			if m.Transport == "http" && m.OAuthIssuer == "" {
				return problem(name, "%s names an OAuth identity but IOCLOUD_MCP_OAUTH_ISSUER is not set (set it, or list token:<name> entries)", shown)
			}
		case kind == "token" && rest == sharedTokenName:
			if m.Transport == "http" && !m.AuthToken.IsSet() {
				return problem(name, "%s names the shared token but IOCLOUD_MCP_AUTH_TOKEN is not set (set it, or remove the entry)", shown)
			}
		case kind == "token" && tokenName.MatchString(rest):
			if m.Transport == "http" && m.TokensFile == "" {
				return problem(name, "%s names a token but IOCLOUD_MCP_TOKENS_FILE is not set (set it, or remove the entry)", shown)
			}
		default:
			return problem(name, "%s is not a caller (list oauth:<subject>, an email address or token:<name>, comma-separated)", shown)
		}
	}
	return nil
}

// checkOrigin accepts a browser origin: http(s)://host[:port], nothing more.
func checkOrigin(o string, secrets []string) error {
	const name = "IOCLOUD_MCP_ALLOWED_ORIGINS"
	shown := describeValue(o, secrets)
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return problem(name, "%s is not an origin (list scheme://host[:port] values such as https://app.example.com, comma-separated; no * and no path)", shown)
	}
	return nil
}

// NormalizeOrigin is how origins are compared: lower-case scheme and host,
// no trailing slash, default ports left out.
func NormalizeOrigin(o string) string {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Host == "" {
		return strings.ToLower(o)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// Tokens reads IOCLOUD_MCP_TOKENS_FILE (nil when unset): lines
// "name sha256:<64 hex digits>", blank lines and # comments allowed. A bad
// line stops start-up with an *Error naming the line; the line's text is not
// echoed, since a token pasted by mistake would be. It also checks that every
// token:<name> in IOCLOUD_MCP_KEY_CREATORS is in the file, and that no named
// token is the shared IOCLOUD_MCP_AUTH_TOKEN.
func (m MCP) Tokens() ([]NamedToken, error) {
	if m.TokensFile == "" {
		return nil, nil
	}
	const name = "IOCLOUD_MCP_TOKENS_FILE"
	f, err := os.Open(m.TokensFile)
	if err != nil {
		return nil, problem(name, "%s cannot be read: %s", strconv.Quote(m.TokensFile), statProblem(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokensFile+1))
	if err != nil {
		return nil, problem(name, "%s cannot be read: %s", strconv.Quote(m.TokensFile), statProblem(err))
	}
	if len(data) > maxTokensFile {
		return nil, problem(name, "%s is larger than 1 MiB (one short line per person is all it needs)", strconv.Quote(m.TokensFile))
	}
	tokens, err := parseTokens(data, m.secrets())
	if err != nil {
		return nil, err
	}
	shared := sha256.Sum256([]byte(m.AuthToken.Reveal()))
	names := map[string]bool{}
	for _, t := range tokens {
		names[t.Name] = true
		if m.AuthToken.IsSet() && t.SHA256 == shared {
			return nil, problem(name, "the token of %s is IOCLOUD_MCP_AUTH_TOKEN itself (give every person their own token)", describeValue(t.Name, m.secrets()))
		}
	}
	for _, c := range m.KeyCreators {
		if n, ok := strings.CutPrefix(c, "token:"); ok && n != sharedTokenName && !names[n] {
			return nil, problem("IOCLOUD_MCP_KEY_CREATORS", "%s is not a name in IOCLOUD_MCP_TOKENS_FILE (fix the spelling, or add the person to the file)",
				describeValue(c, m.secrets()))
		}
	}
	return tokens, nil
}

func parseTokens(data []byte, secrets []string) ([]NamedToken, error) {
	const name = "IOCLOUD_MCP_TOKENS_FILE"
	var out []NamedToken
	nameLine := map[string]int{}
	hashLine := map[[sha256.Size]byte]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxTokensFile)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, problem(name, "line %d: has %d fields (write name sha256:<hex of the token>, separated by a space)", n, len(fields))
		}
		who, digest := fields[0], fields[1]
		if !tokenName.MatchString(who) || who == sharedTokenName {
			return nil, problem(name, "line %d: %s is not a usable name (use letters, digits and . _ @ + -, up to 64 characters; %q is reserved for IOCLOUD_MCP_AUTH_TOKEN)",
				n, describeValue(who, secrets), sharedTokenName)
		}
		hexDigest, ok := strings.CutPrefix(digest, "sha256:")
		raw, err := hex.DecodeString(hexDigest)
		if !ok || err != nil || len(raw) != sha256.Size {
			return nil, problem(name, "line %d: the second field is not sha256: and 64 hex digits (write the SHA-256 of the token, "+
				"e.g. from: printf %%s \"$TOKEN\" | sha256sum; never the token itself)", n)
		}
		var sum [sha256.Size]byte
		copy(sum[:], raw)
		if prev, dup := nameLine[who]; dup {
			return nil, problem(name, "line %d: %s is already on line %d (one line per person)", n, describeValue(who, secrets), prev)
		}
		if prev, dup := hashLine[sum]; dup {
			return nil, problem(name, "line %d: the same token as line %d (give every person their own token)", n, prev)
		}
		nameLine[who], hashLine[sum] = n, n
		out = append(out, NamedToken{Name: who, SHA256: sum})
	}
	if err := sc.Err(); err != nil {
		return nil, problem(name, "cannot be read: %s", err)
	}
	if len(out) == 0 {
		return nil, problem(name, "holds no tokens (add one \"name sha256:<hex of the token>\" line per person)")
	}
	return out, nil
}

// String never shows the digest: it is not the token, but there is no reason
// to spread it.
func (t NamedToken) String() string { return fmt.Sprintf("token:%s", t.Name) }
