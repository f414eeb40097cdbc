package tools

import (
	"context"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// surface is everything besides tools that MCP clients expect of a server:
// resources with subscriptions, prompts, completions and logging. It is
// wired in two halves because the server it hooks into exists only after
// NewMCPServer has taken the options.
type surface struct {
	cfg    Config
	ref    *serverRef
	filter server.ToolFilterFunc // the one tools/list applies; prompts name only what it lets through
	reader resourceReader
	watch  *watcher
}

func newSurface(cfg Config, filter server.ToolFilterFunc, hooks *server.Hooks) *surface {
	s := &surface{cfg: cfg, ref: &serverRef{}, filter: listedTools(cfg, filter), reader: resourceReader{cfg: cfg}}
	s.watch = newWatcher(s.reader, cfg.PollInterval, cfg.Logger)
	s.watch.attach(hooks, func() *server.MCPServer { return s.ref.srv })
	return s
}

// options declares the capabilities (resources with subscribe, prompts,
// completions, logging) and the providers behind them. The log middleware
// comes first so it is the outermost and sees every tool's final answer.
func (s *surface) options() []server.ServerOption {
	c := completer{cfg: s.cfg}
	return []server.ServerOption{
		server.WithToolHandlerMiddleware(logToClient(s.ref)),
		server.WithResourceCapabilities(true, false),
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(c),
		server.WithResourceCompletionProvider(c),
		server.WithLogging(),
	}
}

// register adds the resources and prompts to the built server.
func (s *surface) register(srv *server.MCPServer) {
	s.ref.srv = srv
	srv.AddResources(hardwareResource(s.reader))
	srv.AddResourceTemplates(replicasTemplate(s.reader))
	srv.AddPrompts(findGPUs(s.cfg, s.ref, s.filter), rotateKey(s.cfg, s.ref, s.filter))
}

// listedTools is what tools/list shows the caller: the tool filter, then
// the key tools hidden from callers not in KeyCreators (an after-list hook
// does that for tools/list itself).
func listedTools(cfg Config, filter server.ToolFilterFunc) server.ToolFilterFunc {
	return func(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
		tools = filter(ctx, tools)
		if mayChangeKeys(cfg.KeyCreators, callerOf(ctx)) {
			return tools
		}
		return slices.DeleteFunc(tools, func(t mcp.Tool) bool { return slices.Contains(keyChangingTools, t.Name) })
	}
}
