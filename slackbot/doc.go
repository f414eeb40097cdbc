// Package slackbot is the Slack frontend of iocloud: the /iocloud slash
// command and the Confirm / Cancel buttons of create-key and revoke.
//
// A request goes through the same steps whatever carried it:
//
//	transport (http.go, socketmode.go, console.go)
//	  → verify (verify.go; HTTP only: Slack's signature over the raw body)
//	  → parse (parse.go: the text into a typed command)
//	  → authorize (authorize.go: team and channel allowlists, key creators)
//	  → act (actions.go: io.net reads and key creation, revoke.go: key
//	    revocation; both off the request path)
//	  → render (render.go: Block Kit with a plain-text fallback, every user
//	    string escaped)
//	  → respond (respond.go: response_url, or the console)
//	  → notify (notify.go: a notice without the secret to the audit channel)
//
// Policy, confirmation tickets and audit belong to package iocloud's Guard;
// this package only asks it and shows the answer. It imports iocloud and
// never config or the MCP tools.
package slackbot
