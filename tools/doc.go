// Package tools is the MCP face of iocloud: the three tools an assistant sees
// (list_hardware, list_available_replicas, create_api_key), their schemas and
// annotations, and the MCP side of the confirmation guard around key
// creation.
//
// It re-implements none of the core: io.net calls, key policy, confirmation
// tickets and audit all live in package iocloud and are reached through the
// small interfaces declared here (Catalog, KeyGuard). Every failure becomes an
// isError result whose text comes from iocloud.Advice, so an assistant is told
// what to do next rather than handed a Go error.
//
// Around the tools (surface.go): resources with the read tools' documents
// and subscriptions that poll io.net only while someone listens, the
// find-gpus and rotate-key prompts (built from the caller's tools/list),
// completions from live data, and tool-call logging to the client.
//
// NewServer returns an mcp-go server ready for any transport; cmd/iocloud-mcp
// serves it over stdio or streamable HTTP.
package tools
