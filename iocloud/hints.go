package iocloud

// Setting is a piece of the operator's configuration that the core's
// messages may ask a person to check or change. The core names it in its
// own terms ("the io.net session token"); where it is set (an environment
// variable, a flag, a file) is the frontend's business, passed in as Hints.
type Setting int

// The settings the core's messages refer to.
const (
	SettingAPIKey Setting = iota + 1
	SettingJWT
	SettingBaseURL

	// The guard's settings, which the frontends' refusals mention.

	SettingConfirmSecret // the key that signs confirmation tickets
	SettingStateStore    // where tickets and approvals are kept

	// The frontends' own settings. They are listed here too so that one
	// Hints map, filled once from config, carries every name to both.

	SettingMCPConfirm           // how the MCP server confirms a new key
	SettingMCPKeyCreators       // who may create or revoke keys over MCP
	SettingKeyOutputDir         // where the MCP server saves new secrets
	SettingSlackKeyCreators     // who may create or revoke keys from Slack
	SettingSlackAllowedTeams    // the workspaces /iocloud answers in
	SettingSlackAllowedChannels // the channels /iocloud answers in
	SettingSlackBotToken        // the Slack bot token (Web API: forms, posts)
	SettingSlackAppToken        // the Slack app-level token (Socket Mode)

	settingEnd // keep last: Settings counts up to it
)

// Settings lists every Setting, so the wiring can check that its Hints name
// each one.
func Settings() []Setting {
	out := make([]Setting, 0, settingEnd-1)
	for s := SettingAPIKey; s < settingEnd; s++ {
		out = append(out, s)
	}
	return out
}

// Hints say, for each Setting, the name a person sets it by (for the
// binaries: the environment variable, filled in by cmd/ from package
// config). The zero value names none; messages then stay in the core's own
// terms.
type Hints map[Setting]string

// Of is " (NAME)" for s, or "" when the hints do not name it: written
// right after the setting's plain-words name, it says where it is set.
func (h Hints) Of(s Setting) string {
	if name := h[s]; name != "" {
		return " (" + name + ")"
	}
	return ""
}
