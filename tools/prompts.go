package tools

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const (
	findGPUsPrompt  = "find-gpus"
	rotateKeyPrompt = "rotate-key"
)

// Tools the prompts may send an assistant to. A prompt names a tool only
// when it is in this session's tools/list (read-only servers have no key
// tools; some builds or callers lack the key-lifecycle and price tools), so
// it never points at something the assistant cannot call.
const (
	promptToolQuote  = "quote_price"
	promptToolKeys   = "list_api_keys"
	promptToolRevoke = "revoke_api_key"
)

// serverRef hands handlers the server they are registered on, which exists
// only after NewMCPServer returns.
type serverRef struct{ srv *server.MCPServer }

// visibleTools returns the names of the tools this request's caller sees in
// tools/list: every registered tool, through the same filter.
func (r *serverRef) visibleToolNames(ctx context.Context, filter server.ToolFilterFunc) map[string]bool {
	all := r.srv.ListTools()
	list := make([]mcp.Tool, 0, len(all))
	for _, t := range all {
		list = append(list, t.Tool)
	}
	names := map[string]bool{}
	for _, t := range filter(ctx, list) {
		names[t.Name] = true
	}
	return names
}

func findGPUs(cfg Config, ref *serverRef, filter server.ToolFilterFunc) server.ServerPrompt {
	p := mcp.NewPrompt(findGPUsPrompt,
		mcp.WithPromptTitle("Find GPUs on io.net"),
		mcp.WithPromptDescription("Find where containers of a GPU type can run now, step by step: "+
			"hardware types, then locations with room, then (when this server can) a price quote."),
		mcp.WithArgument("hardware", mcp.ArgumentDescription(`GPU type: id or name from list_hardware, e.g. "H100 80GB HBM3". Leave empty for any type with free GPUs.`)),
		mcp.WithArgument("gpus", mcp.ArgumentDescription("GPUs per container, 1 to 8 (default 1).")),
		mcp.WithArgument("country", mcp.ArgumentDescription(`Only this country: ISO code such as "US" or a name. Leave empty for anywhere.`)),
	)
	handler := func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		args := req.Params.Arguments
		if err := onlyArguments(findGPUsPrompt, args, "hardware", "gpus", "country"); err != nil {
			return nil, err
		}
		hardware, country := strings.TrimSpace(args["hardware"]), strings.TrimSpace(args["country"])
		if len(hardware) > maxHardwareURISuffix {
			return nil, fmt.Errorf("prompt %s: hardware is %d characters; send an id or a name from list_hardware (at most %d)", findGPUsPrompt, len(hardware), maxHardwareURISuffix)
		}
		if len(country) > 60 {
			return nil, fmt.Errorf(`prompt %s: country is %d characters; send a two-letter code such as "US" or a country name`, findGPUsPrompt, len(country))
		}
		gpus := 1
		if s := strings.TrimSpace(args["gpus"]); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 8 {
				return nil, fmt.Errorf("prompt %s: gpus is %q; send a whole number from 1 to 8", findGPUsPrompt, s)
			}
			gpus = n
		}
		text := findGPUsText(cfg, ref.visibleToolNames(ctx, filter), hardware, gpus, country)
		return mcp.NewGetPromptResult("Find GPUs on io.net",
			[]mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}), nil
	}
	return server.ServerPrompt{Prompt: p, Handler: handler}
}

func findGPUsText(cfg Config, tools map[string]bool, hardware string, gpus int, country string) string {
	var b strings.Builder
	b.WriteString("Find GPU capacity for me on io.net's IO Cloud")
	if cfg.Sandbox {
		b.WriteString(" (this server answers with sandbox data, not real io.net)")
	}
	b.WriteString(".\nWhat I want: ")
	if hardware != "" {
		fmt.Fprintf(&b, "GPU type %q", hardware)
	} else {
		b.WriteString("any GPU type with free GPUs")
	}
	fmt.Fprintf(&b, ", %s per container", plural(gpus, "GPU", "GPUs"))
	if country != "" {
		fmt.Fprintf(&b, ", in %q", country)
	}
	b.WriteString(".\n\nPlease go step by step:\n")

	var steps []string
	if tools[hardwareTool] {
		step := "Call " + hardwareTool + " to see the GPU types, their ids and how many GPUs of each are free now."
		if hardware != "" {
			step += fmt.Sprintf(" Find the type that matches %q; if none or several match, show me the names and ask which one I mean.", hardware)
		}
		steps = append(steps, step)
	}
	if tools[replicasTool] {
		var args []string
		if hardware != "" {
			args = append(args, "hardware set to that type's id")
		}
		args = append(args, fmt.Sprintf("gpus_per_container %d", gpus))
		if country != "" {
			args = append(args, fmt.Sprintf("country %q", country))
		}
		steps = append(steps, "Call "+replicasTool+" with "+joinAnd(args)+" to see where such containers fit now, most free first.")
	}
	if tools[promptToolQuote] {
		step := "Ask me how many hours and how many containers I need, then call " + promptToolQuote +
			fmt.Sprintf(" with the same hardware and gpus_per_container %d", gpus)
		if country != "" {
			step += fmt.Sprintf(" and country %q", country)
		}
		step += ", plus hours and replicas, and show me the total cost in USDC."
		steps = append(steps, step)
	}
	for i, s := range steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\nShow the results as a short table. Do not create or change anything.")
	return b.String()
}

func rotateKey(cfg Config, ref *serverRef, filter server.ToolFilterFunc) server.ServerPrompt {
	p := mcp.NewPrompt(rotateKeyPrompt,
		mcp.WithPromptTitle("Rotate an io.net API key"),
		mcp.WithPromptDescription("Replace an io.net API key with a new one: find the old key, create the new one "+
			"(you approve it), then revoke the old one (you approve that too), as far as this server allows."),
		mcp.WithArgument("description",
			mcp.ArgumentDescription("The description of the key to replace; the new key gets the same one (1-100 characters)."),
			mcp.RequiredArgument()),
	)
	handler := func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		args := req.Params.Arguments
		if err := onlyArguments(rotateKeyPrompt, args, "description"); err != nil {
			return nil, err
		}
		desc := strings.TrimSpace(args["description"])
		if desc == "" || len([]rune(desc)) > 100 {
			return nil, fmt.Errorf("prompt %s: send description, the key's description as io.net shows it (1-100 characters)", rotateKeyPrompt)
		}
		text := rotateKeyText(cfg, ref.visibleToolNames(ctx, filter), desc)
		return mcp.NewGetPromptResult("Rotate an io.net API key",
			[]mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}), nil
	}
	return server.ServerPrompt{Prompt: p, Handler: handler}
}

func rotateKeyText(cfg Config, tools map[string]bool, desc string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Help me replace (rotate) my io.net API key described as %q", desc)
	if cfg.Sandbox {
		b.WriteString(" (this server works against a sandbox, not real io.net)")
	}
	b.WriteString(".\n\nPlease go step by step:\n")

	var steps []string
	if tools[promptToolKeys] {
		steps = append(steps, fmt.Sprintf("Call %s and find the key whose description is %q. Show me its key_id, display and expiry; "+
			"if several keys match, ask me which one to replace.", promptToolKeys, desc))
	} else {
		steps = append(steps, "Ask me for the key_id of the key to replace (io.net's console lists my keys).")
	}
	if tools[createKeyTool] {
		steps = append(steps, fmt.Sprintf("Call %s with description %q and the same scopes as the old key. "+
			"I approve the new key myself, in a prompt from my client or on an approval page: never approve it for me, "+
			"and pass a confirmation_token back only after I have said yes. If the new secret comes back to you, show it to me once "+
			"and remind me to store it safely (with an approval page I see it there instead).",
			createKeyTool, desc))
	} else {
		steps = append(steps, "This server cannot create the new key for me (it is read-only, or I am not allowed to): "+
			"tell me to create it in io.net's console.")
	}
	if tools[promptToolRevoke] {
		steps = append(steps, fmt.Sprintf("Once I tell you the new key works everywhere the old one was used, call %s with the old key's key_id. "+
			"I approve that myself too; never approve it for me.", promptToolRevoke))
	} else {
		steps = append(steps, "Once I tell you the new key works everywhere, remind me to revoke the old key in io.net's console "+
			"(this server cannot revoke keys for me).")
	}
	for i, s := range steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\nNever show, log or repeat the old key's secret or anyone else's.")
	return b.String()
}

// onlyArguments refuses arguments a prompt does not take, naming the ones
// it does: a misspelt argument would otherwise be silently ignored.
func onlyArguments(prompt string, args map[string]string, allowed ...string) error {
	for name := range args {
		if !slices.Contains(allowed, name) {
			return fmt.Errorf("prompt %s has no argument %q; it takes %s", prompt, name, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// joinAnd renders "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
