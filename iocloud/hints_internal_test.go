package iocloud

// testHints are the hints the binaries pass (config.Hints), so tests can
// check that advice names the variable a person sets.
var testHints = Hints{SettingAPIKey: "IOCLOUD_API_KEY", SettingJWT: "IOCLOUD_JWT", SettingBaseURL: "IOCLOUD_BASE_URL"}

// TestHints is testHints for the external test package.
var TestHints = testHints
