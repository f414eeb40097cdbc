package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"time"

	"github.com/google/uuid"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The protocol eras the official go-sdk client speaks to our server: the
// handshake era (sessions) and the stateless 2026-07-28 core.
const (
	eraSessions  = "2025-06-18"
	eraStateless = "2026-07-28"
)

// loopClient is the HTTP client of the load generator: enough idle
// connections for every worker, so the client never measures its own dials.
func loopClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 256
	t.MaxIdleConns = 256
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// httpSessions connects n go-sdk sessions (one per worker) in era.
func httpSessions(ctx context.Context, url, era string, n int, hc *http.Client) ([]*mcp.ClientSession, error) {
	out := make([]*mcp.ClientSession, 0, n)
	for range n {
		c := mcp.NewClient(&mcp.Implementation{Name: "benchrig", Version: "1"}, nil)
		cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: hc, MaxRetries: -1},
			&mcp.ClientSessionOptions{ProtocolVersion: era})
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("connect (%s): %w", era, err)
		}
		out = append(out, cs)
	}
	return out, nil
}

func closeAll(ss []*mcp.ClientSession) {
	for _, s := range ss {
		_ = s.Close()
	}
}

// stdioSession starts bin over stdio and returns the session and the pid.
func stdioSession(ctx context.Context, bin string, args, env []string, era string) (*mcp.ClientSession, int, error) {
	cmd := exec.CommandContext(ctx, bin, args...) //nolint:gosec // the binaries this rig built or was given
	cmd.Env = env
	c := mcp.NewClient(&mcp.Implementation{Name: "benchrig", Version: "1"}, nil)
	cs, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd}, &mcp.ClientSessionOptions{ProtocolVersion: era})
	if err != nil {
		return nil, 0, err
	}
	return cs, cmd.Process.Pid, nil
}

// replicasArgs is what each call asks; a node pool per call (distinct=true)
// makes every read distinct, so nothing is collapsed or cached.
func replicasArgs(hardware string, distinct bool) map[string]any {
	args := map[string]any{}
	if hardware != "" {
		args["hardware"] = hardware
	}
	if distinct {
		args["node_pool_id"] = uuid.NewString()
	}
	return args
}

// callReplicas is one list_available_replicas call; an isError result is a
// failure of the run.
func callReplicas(ctx context.Context, cs *mcp.ClientSession, args map[string]any) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "list_available_replicas", Arguments: args})
	if err != nil {
		return err
	}
	if res.IsError {
		text := ""
		if len(res.Content) > 0 {
			if tc, ok := res.Content[0].(*mcp.TextContent); ok {
				text = tc.Text
			}
		}
		return errors.New("isError: " + text)
	}
	return nil
}

// coldStart is exec → initialize → first tools/list answered, over stdio.
func coldStart(ctx context.Context, bin string, args, env []string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	t0 := time.Now()
	cs, _, err := stdioSession(ctx, bin, args, env, eraSessions)
	if err != nil {
		return 0, err
	}
	defer func() { _ = cs.Close() }()
	list, err := cs.ListTools(ctx, &mcp.ListToolsParams{})
	if err != nil {
		return 0, err
	}
	d := time.Since(t0)
	if len(list.Tools) == 0 {
		return 0, errors.New("tools/list was empty")
	}
	return d, nil
}
