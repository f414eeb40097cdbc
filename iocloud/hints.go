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
)

// Hints say, for each Setting, the name a person sets it by (for the
// binaries: the environment variable, filled in by cmd/ from package
// config). The zero value names none; messages then stay in the core's own
// terms.
type Hints map[Setting]string

// of is " (NAME)" for s, or "" when the hints do not name it.
func (h Hints) of(s Setting) string {
	if name := h[s]; name != "" {
		return " (" + name + ")"
	}
	return ""
}
