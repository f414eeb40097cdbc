package config

import "github.com/iocloud-chatops/iocloud/iocloud"

// Hints name the variables behind the settings the core's messages refer
// to, so a person told "check the io.net API key" also learns what to set.
// The names live here, with the rest of the variables; cmd/* passes them to
// the frontends (tools.Config.Hints, slackbot.Config.Hints).
func Hints() iocloud.Hints {
	return iocloud.Hints{
		iocloud.SettingAPIKey:  "IOCLOUD_API_KEY",
		iocloud.SettingJWT:     "IOCLOUD_JWT",
		iocloud.SettingBaseURL: "IOCLOUD_BASE_URL",
	}
}
