package slackbot

import (
	"encoding/json"
	"net/http"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/slack-go/slack"
)

// Endpoint paths of the HTTP transport (and of the manifest).
const (
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
	PathHealth       = "/healthz"
)

// Handler serves Slack over HTTP: POST /slack/commands (slash commands),
// POST /slack/interactions (button clicks) and GET /healthz. Every Slack
// request is verified with signingSecret before anything else happens.
// Slack gets its answer at once: the command's immediate reply, or an
// empty 200 for a click; io.net is asked in the background and the answer
// goes to the request's response_url.
func (b *Bot) Handler(signingSecret iocloud.Secret) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+PathCommands, verified(signingSecret, b.log, b.onlyOnce(http.HandlerFunc(b.serveCommand))))
	mux.Handle("POST "+PathInteractions, verified(signingSecret, b.log, b.onlyOnce(http.HandlerFunc(b.serveInteraction))))
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request) {
	sc, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	inv, resp := b.fromSlash(sc)
	writeJSON(w, b.command(r.Context(), inv, resp).webhook())
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	ic, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ic.Type == slack.InteractionTypeViewSubmission {
		// The modal's answer is the acknowledgement itself.
		writeJSON(w, b.viewSubmission(r.Context(), ic))
		return
	}
	// Slack only needs the 200; the answer goes to response_url.
	w.WriteHeader(http.StatusOK)
	if c, resp, ok := b.fromInteraction(ic); ok {
		b.action(r.Context(), c, resp)
	}
}

// fromSlash reads a slash command, from a form or a Socket Mode envelope.
func (b *Bot) fromSlash(sc slack.SlashCommand) (invocation, responder) {
	inv := invocation{
		who:         requester{Enterprise: sc.EnterpriseID, Team: sc.TeamID, Channel: sc.ChannelID, User: sc.UserID},
		text:        sc.Text,
		triggerID:   sc.TriggerID,
		responseURL: sc.ResponseURL,
	}
	return inv, b.responderFor(sc.ResponseURL)
}

// fromInteraction reads a button click. Only a block_actions payload with
// exactly one action from one of our preview blocks (create-key, revoke) is
// a click; anything else is acknowledged and ignored.
func (b *Bot) fromInteraction(ic slack.InteractionCallback) (click, responder, bool) {
	if ic.Type != slack.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) != 1 {
		return click{}, nil, false
	}
	a := ic.ActionCallback.BlockActions[0]
	if a == nil || (a.BlockID != blockCreateKey && a.BlockID != blockRevokeKey) {
		return click{}, nil, false
	}
	team := ic.Team.ID
	if team == "" {
		team = ic.User.TeamID
	}
	channel := ic.Channel.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	c := click{
		who:      requester{Enterprise: ic.Enterprise.ID, Team: team, Channel: channel, User: ic.User.ID},
		actionID: a.ActionID,
		value:    a.Value,
		via:      iocloud.ViaSlackButton,
	}
	return c, b.responderFor(ic.ResponseURL), true
}

// responderFor is nil when the URL is unusable; the core then answers that
// it cannot reply later.
func (b *Bot) responderFor(responseURL string) responder {
	r, err := newWebhookResponder(responseURL, b.hc)
	if err != nil {
		return nil
	}
	return r
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
