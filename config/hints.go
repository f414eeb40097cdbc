package config

import "github.com/iocloud-chatops/iocloud/iocloud"

// Hints name the variables behind the settings the core's and the
// frontends' messages refer to, so a person told "check the io.net API key"
// also learns what to set.
// The names live here, with the rest of the variables; cmd/* passes them to
// the frontends (tools.Config.Hints, slackbot.Config.Hints).
func Hints() iocloud.Hints {
	return iocloud.Hints{
		iocloud.SettingAPIKey:  "IOCLOUD_API_KEY",
		iocloud.SettingJWT:     "IOCLOUD_JWT",
		iocloud.SettingBaseURL: "IOCLOUD_BASE_URL",

		iocloud.SettingConfirmSecret: "IOCLOUD_CONFIRM_SECRET",
		iocloud.SettingStateStore:    "IOCLOUD_STATE",

		iocloud.SettingMCPConfirm:           "IOCLOUD_MCP_CONFIRM",
		iocloud.SettingMCPKeyCreators:       "IOCLOUD_MCP_KEY_CREATORS",
		iocloud.SettingKeyOutputDir:         "IOCLOUD_KEY_OUTPUT_DIR",
		iocloud.SettingSlackKeyCreators:     "IOCLOUD_SLACK_KEY_CREATORS",
		iocloud.SettingSlackAllowedTeams:    "IOCLOUD_SLACK_ALLOWED_TEAMS",
		iocloud.SettingSlackAllowedChannels: "IOCLOUD_SLACK_ALLOWED_CHANNELS",
		iocloud.SettingSlackBotToken:        "SLACK_BOT_TOKEN",
		iocloud.SettingSlackAppToken:        "SLACK_APP_TOKEN",
	}
}
