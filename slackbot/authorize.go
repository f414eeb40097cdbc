package slackbot

import (
	"fmt"
	"slices"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// requester is who asked, where: the IDs Slack put in the signed request
// (or the Socket Mode envelope). Names are never used: they can be changed
// by their owner.
type requester struct {
	Enterprise string // Enterprise Grid org, "" outside Grid
	Team       string // workspace; may be "" on org-wide installs
	Channel    string
	User       string
}

// actorID is the stable id the core binds tickets to: the org (Enterprise
// Grid) or else the workspace, then the user. Grid is tried first because an
// org-wide install sends no team with a button click, while the slash
// command that showed the button had one; the enterprise id is in both.
func (r requester) actorID() string {
	org := r.Enterprise
	if org == "" {
		org = r.Team
	}
	return org + "/" + r.User
}

// access holds the allowlists. Empty team and channel lists allow any;
// an empty creator list allows nobody. hints name the lists' variables in
// the refusals.
type access struct {
	teams    []string
	channels []string
	creators []string
	hints    iocloud.Hints
}

// denial is an authorization refusal: what the person is told.
type denial struct{ reason string }

func (d *denial) Error() string { return d.reason }

// place checks the team and channel allowlists. It fails closed: with a
// list set, a request that names no team or channel is refused.
func (a access) place(r requester) error {
	if r.User == "" {
		return &denial{"Slack sent this request without a user, so it cannot be authorized."}
	}
	if len(a.teams) > 0 && !slices.Contains(a.teams, r.Team) && !slices.Contains(a.teams, r.Enterprise) {
		return &denial{fmt.Sprintf("/iocloud is not enabled for this workspace. An admin can add its ID (%s) to the allowed workspaces%s.",
			orUnknown(r.Team, r.Enterprise), a.hints.Of(iocloud.SettingSlackAllowedTeams))}
	}
	if len(a.channels) > 0 && !slices.Contains(a.channels, r.Channel) {
		return &denial{fmt.Sprintf("/iocloud is not enabled in this channel. Use it in an allowed channel, or an admin can add this channel's ID (%s) to the allowed channels%s.",
			orUnknown(r.Channel), a.hints.Of(iocloud.SettingSlackAllowedChannels))}
	}
	return nil
}

// creator checks that the user may create keys (after place). The advice
// only ever suggests a value start-up accepts: a real Slack user ID. At the
// console (whose user U-CONSOLE is no Slack ID and cannot be listed) it says
// how to act as a listed user instead.
func (a access) creator(r requester) error { return a.keyRight(r, "create") }

// revoker checks that the user may revoke keys: the same people who may
// create them (the key creators), told in revocation's words.
func (a access) revoker(r requester) error { return a.keyRight(r, "revoke") }

// keyRight is creator and revoker; verb names the action in the refusal.
func (a access) keyRight(r requester, verb string) error {
	if r.User != "" && slices.Contains(a.creators, r.User) {
		return nil
	}
	creators := "the key creators" + a.hints.Of(iocloud.SettingSlackKeyCreators)
	switch {
	case r.Team == ConsoleTeam:
		return &denial{fmt.Sprintf("You may not %s io.net API keys: you are %s, and %s list who may. "+
			"At the console, type user <ID> with one of the IDs it lists to act as that person, "+
			"or restart the console without key creators to %s keys as %s.", verb, orUnknown(r.User), creators, verb, ConsoleUser)}
	case !slackUserID.MatchString(r.User):
		return &denial{fmt.Sprintf("You may not %s io.net API keys. An admin can allow you by adding your Slack member ID "+
			"(e.g. U0123ABCD, under your profile's Copy member ID) to %s.", verb, creators)}
	case len(a.creators) == 0:
		return &denial{fmt.Sprintf("Nobody may %s io.net API keys from Slack yet: no key creators are set. "+
			"An admin can allow you by %s and restarting the bot.", verb, setCreators(a.hints, r.User))}
	}
	return &denial{fmt.Sprintf("You may not %s io.net API keys. An admin can allow you by adding your Slack user ID (%s) to %s.", verb, r.User, creators)}
}

// setCreators says how to make user the first key creator: with the
// variable's name, the exact setting to copy; without, in plain words.
func setCreators(h iocloud.Hints, user string) string {
	if name := h[iocloud.SettingSlackKeyCreators]; name != "" {
		return "setting " + name + "=" + user + " (comma-separate several user IDs)"
	}
	return "making " + user + " a key creator (list several user IDs, comma-separated)"
}

func orUnknown(ids ...string) string {
	for _, id := range ids {
		if id != "" {
			return id
		}
	}
	return "unknown"
}
