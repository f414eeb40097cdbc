package config

import (
	"fmt"
	"regexp"
	"strings"
)

// SlackMode is how cmd/iocloud-slackbot meets Slack.
type SlackMode int

const (
	SlackHTTP    SlackMode = iota // Slack posts signed HTTP requests to us
	SlackSocket                   // we dial Slack over Socket Mode (SLACK_APP_TOKEN)
	SlackConsole                  // no Slack at all: commands on stdin (--console)
)

func (m SlackMode) String() string {
	switch m {
	case SlackHTTP:
		return "http"
	case SlackSocket:
		return "socket"
	case SlackConsole:
		return "console"
	}
	return fmt.Sprintf("SlackMode(%d)", int(m))
}

// Mode picks the mode: --console wins; an app token turns on Socket Mode;
// otherwise HTTP.
func (s Slack) Mode(console bool) SlackMode {
	switch {
	case console:
		return SlackConsole
	case s.AppToken.IsSet():
		return SlackSocket
	}
	return SlackHTTP
}

// Slack IDs are upper-case letters and digits after a one-letter kind:
// users U or W (Enterprise Grid), teams T or E, channels C, G or D.
var (
	slackUserID    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	slackTeamID    = regexp.MustCompile(`^[TE][A-Z0-9]+$`)
	slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]+$`)
)

// Validate checks cmd/iocloud-slackbot's settings for the given mode. The
// console needs no Slack secret; HTTP needs the signing secret; Socket Mode
// needs an app-level token.
func (s Slack) Validate(sandbox bool, mode SlackMode) error {
	if err := s.Core.Validate(sandbox); err != nil {
		return err
	}
	if _, err := checkAddr("IOCLOUD_SLACK_ADDR", s.Addr, "127.0.0.1:3000", "", s.secrets()); err != nil {
		return err
	}
	switch mode {
	case SlackHTTP:
		if !s.SigningSecret.IsSet() {
			return problem("SLACK_SIGNING_SECRET", "not set (copy it from your Slack app's Basic Information page; or set SLACK_APP_TOKEN for Socket Mode, or run with --console)")
		}
	case SlackSocket:
		if !s.AppToken.IsSet() {
			return problem("SLACK_APP_TOKEN", "not set (Socket Mode needs an app-level token, xapp-..., from your Slack app's Basic Information page)")
		}
		if !strings.HasPrefix(s.AppToken.Reveal(), "xapp-") {
			return problem("SLACK_APP_TOKEN", "is not an app-level token (it must start with xapp-; bot tokens, xoxb-..., go in SLACK_BOT_TOKEN)")
		}
	case SlackConsole:
	default:
		return fmt.Errorf("config: unknown Slack mode %d", int(mode))
	}
	if mode != SlackConsole && s.AuditChannel != "" && !s.BotToken.IsSet() {
		return problem("IOCLOUD_SLACK_AUDIT_CHANNEL", "needs SLACK_BOT_TOKEN to post notices (set SLACK_BOT_TOKEN, or unset IOCLOUD_SLACK_AUDIT_CHANNEL)")
	}
	if s.APIURL != "" {
		if err := checkHTTPURL("IOCLOUD_SLACK_API_URL", s.APIURL, "https://slack.com/api/", s.secrets()); err != nil {
			return err
		}
	}
	if err := checkIDs("IOCLOUD_SLACK_KEY_CREATORS", s.KeyCreators, slackUserID, "a Slack user ID (use member IDs such as U0123ABCD, comma-separated; Slack shows one under a profile's Copy member ID)", s.secrets()); err != nil {
		return err
	}
	if err := checkIDs("IOCLOUD_SLACK_ALLOWED_TEAMS", s.AllowedTeams, slackTeamID, "a Slack team ID (use workspace IDs such as T0123ABCD, comma-separated)", s.secrets()); err != nil {
		return err
	}
	return checkIDs("IOCLOUD_SLACK_ALLOWED_CHANNELS", s.AllowedChannels, slackChannelID, "a Slack channel ID (use channel IDs such as C0123ABCD, comma-separated, not #names)", s.secrets())
}

func (s Slack) secrets() []string {
	return append(s.Core.secrets(), s.SigningSecret.Reveal(), s.BotToken.Reveal(), s.AppToken.Reveal())
}

func checkIDs(name string, ids []string, pattern *regexp.Regexp, what string, secrets []string) error {
	for _, id := range ids {
		if !pattern.MatchString(id) {
			return problem(name, "%s is not %s", describeValue(id, secrets), what)
		}
	}
	return nil
}
