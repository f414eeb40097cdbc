package tools

import (
	"errors"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// ticketRefusal names, in MCP terms, why a confirmation_token (or an
// elicitation's round-trip state) was refused, for the refusals whose
// generic advice would mislead here: over MCP "who asked" is the caller the
// transport authenticated, and a ticket from an earlier process is the
// everyday case under stdio (every client start is a new process), not an
// unusual restart. ok is false for the rest, which iocloud.Advice words well.
// notDone is "Not created" or "Not revoked"; tool is the tool to call again;
// h names the settings the operator would change.
func ticketRefusal(h iocloud.Hints, err error, actor iocloud.Actor, notDone, tool string) (string, bool) {
	again := " Call " + tool + " again without confirmation_token to start over."
	switch {
	case errors.Is(err, iocloud.ErrTicketWrongActor):
		return notDone + ": this confirmation_token was issued to another caller, and this request comes from " + callerName(actor) +
			". Callers are told apart by their bearer token or sign-in (not by session or connection), and only the caller " +
			"that asked can use its token." + again, true
	case errors.Is(err, iocloud.ErrTicketStale):
		return notDone + ": this confirmation_token was issued by an earlier run of this server (it restarted; over stdio every " +
			"client start is a new server process) or by another replica, so this one cannot check it. With the default settings " +
			"tokens do not outlive the process; the operator keeps them valid across restarts and replicas with " +
			"a shared confirmation secret" + h.Of(iocloud.SettingConfirmSecret) + " and a durable state store" +
			h.Of(iocloud.SettingStateStore) + "." + again, true
	case errors.Is(err, iocloud.ErrApprovalNotFound):
		return notDone + ": this server has no approval on file for this confirmation_token (it was not issued with an " +
			"approval_url here, or its approval was forgotten an hour after it expired). Nothing was done by this call; if the " +
			"person may have approved it earlier, check list_api_keys first." + again, true
	case errors.Is(err, iocloud.ErrTicketExpired):
		return notDone + ": this request expired before it was confirmed, so nothing was done." + again, true
	}
	return "", false
}

// callerName is how a refusal names the caller: its identity, and, when the
// token or sign-in gave one, its name.
func callerName(a iocloud.Actor) string {
	if a.Name != "" && a.Name != a.ID {
		return a.ID + " (" + a.Name + ")"
	}
	return a.ID
}
