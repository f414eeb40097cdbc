// Package iocloud is the shared core of iocloud: a typed client for io.net's
// IO Cloud API, the rules for creating API keys (policy, confirmation tickets,
// the guard that runs them in order) and audit events.
//
// Both frontends (the MCP tools and the Slack bot) use this package and
// re-implement none of it. It imports none of the project's other packages.
package iocloud
