// Package readmetest keeps README.md honest: it reads the try-it commands out
// of the README's shell blocks and runs them against freshly built binaries,
// so changing the README changes what runs here.
package readmetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	readmePath  = "../../README.md"
	inspector   = "../../.mcpclients/node_modules/.bin/mcp-inspector"
	readmeURL   = "http://127.0.0.1:8080/mcp" // the address `make run` serves, as the README writes it
	readmeMCP   = "./bin/iocloud-mcp"
	inspectorIn = "$I --cli "
)

// The exact try-it lines a newcomer copies; the README must keep them.
var tryItLines = []string{
	"make run    # iocloud-mcp --sandbox --transport http on 127.0.0.1:8080",
	`I="npx -y @modelcontextprotocol/inspector@2.12.0"`,
	"$I --cli ./bin/iocloud-mcp --sandbox -q --format json --method tools/list",
	"$I --cli http://127.0.0.1:8080/mcp -q --format json --method tools/call --tool-name list_hardware",
	"make run-slack    # the same as: go run ./cmd/iocloud-slackbot --console --sandbox",
	"| go run ./cmd/iocloud-slackbot --console --sandbox 2>/dev/null",
}

func TestReadmeHasTryItCommands(t *testing.T) {
	readme := readReadme(t)
	for _, line := range tryItLines {
		assert.Contains(t, readme, line)
	}
}

func TestReadmeInspectorCommands(t *testing.T) {
	lines := shellLines(readReadme(t))
	var stdio, overHTTP [][]string
	for _, line := range lines {
		if !strings.HasPrefix(line, inspectorIn) {
			continue
		}
		args := splitWords(t, strings.TrimPrefix(line, inspectorIn))
		require.NotEmpty(t, args, line)
		switch args[0] {
		case readmeMCP:
			stdio = append(stdio, args)
		case readmeURL:
			overHTTP = append(overHTTP, args)
		}
	}
	require.NotEmpty(t, stdio, "README has no stdio Inspector call (%q%s …)", inspectorIn, readmeMCP)
	require.NotEmpty(t, overHTTP, "README has no HTTP Inspector call (%q%s …)", inspectorIn, readmeURL)

	cli, err := filepath.Abs(inspector)
	require.NoError(t, err)
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("IOCLOUD_REQUIRE_INSPECTOR") == "1" {
			t.Fatalf("the MCP Inspector CLI is required but missing (%v); run make mcpclients", err)
		}
		t.Skip("the MCP Inspector CLI is not installed (make mcpclients); skipping the README's Inspector calls")
	}

	bins := buildBinaries(t)
	url := startHTTPServer(t, bins.mcp)
	home := t.TempDir() // the CLI writes ~/.mcp-inspector/

	for _, args := range stdio {
		args = append([]string{"--cli", bins.mcp}, args[1:]...)
		out := runInspector(t, cli, home, args)
		checkInspectorOutput(t, args, out)
	}
	// In README order: a create_api_key without a token asks for approval
	// (the person then approves on the page, as a browser would), and the
	// next call with "confirmation_token=$TOKEN" learns the outcome.
	token, approvals, outcomes := "", 0, 0
	for _, args := range overHTTP {
		args = append([]string{"--cli", url}, args[1:]...)
		for i, a := range args {
			if strings.Contains(a, "$TOKEN") {
				require.NotEmpty(t, token, "README uses $TOKEN before a create_api_key call that gives one")
				args[i] = strings.ReplaceAll(a, "$TOKEN", token)
				outcomes++
			}
		}
		out := runInspector(t, cli, home, args)
		checkInspectorOutput(t, args, out)
		if argAfter(args, "--tool-name") == "create_api_key" && !hasTokenArg(args) {
			var link string
			link, token = approvalOf(t, out)
			approveInBrowserWay(t, link)
			approvals++
		}
	}
	require.Positive(t, approvals, "README shows no key creation over HTTP")
	require.Positive(t, outcomes, `README shows no follow-up call with "confirmation_token=$TOKEN"`)
}

func TestReadmeConsoleBot(t *testing.T) {
	input := consoleInput(t, readReadme(t))
	require.Contains(t, input, "create-key", "the README's console example should create a key")
	require.Contains(t, input, "confirm")

	bins := buildBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.slackbot, "--console", "--sandbox")
	cmd.Stdin = strings.NewReader(input)
	cmd.Env = append(cleanEnv(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())

	out := stdout.String()
	for _, name := range []string{"H100 80GB HBM3", "A100 80GB SXM", "H200 141GB HBM3e"} {
		assert.Contains(t, out, name)
	}
	assert.Contains(t, out, "io.net API key created")
	assert.Contains(t, out, "Key ID:")
	assert.Contains(t, out, "Your new API key")
	assert.Contains(t, out, "io-v2-")
	assert.Contains(t, out, "io.net API keys: 1 active", "the key just created is listed")
	assert.Contains(t, out, "Cheapest: Canada (CA)", "the price example")
}

// --- README parsing ---

func readReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	return string(b)
}

// shellLines returns the lines of the README's ```sh blocks, with
// backslash-continued lines joined.
func shellLines(readme string) []string {
	var lines []string
	inSh := false
	var pending string
	sc := bufio.NewScanner(strings.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inSh = trimmed == "```sh"
			continue
		}
		if !inSh {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			pending += strings.TrimSuffix(trimmed, `\`) + " "
			continue
		}
		lines = append(lines, pending+trimmed)
		pending = ""
	}
	return lines
}

// splitWords splits a shell line into words: single and double quotes,
// an unquoted # starting a comment. No expansions: the README's try-it
// lines need none.
func splitWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	require.Zero(t, quote, "unclosed quote in README line %q", line)
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// consoleInput finds the README's `printf '…' | go run ./cmd/iocloud-slackbot
// --console --sandbox` line and returns what printf would write.
func consoleInput(t *testing.T, readme string) string {
	t.Helper()
	for _, line := range shellLines(readme) {
		if !strings.HasPrefix(line, "printf ") || !strings.Contains(line, "| go run ./cmd/iocloud-slackbot --console --sandbox") {
			continue
		}
		args := splitWords(t, strings.SplitN(line, "|", 2)[0])
		require.Len(t, args, 2, "expected printf 'LINES' in %q", line)
		return strings.ReplaceAll(args[1], `\n`, "\n")
	}
	t.Fatal("README has no console example: printf '…' | go run ./cmd/iocloud-slackbot --console --sandbox")
	return ""
}

// --- running things ---

type binaries struct{ mcp, slackbot string }

// buildBinaries builds both commands into a temporary directory with the
// inherited GOTOOLCHAIN.
func buildBinaries(t *testing.T) binaries {
	t.Helper()
	dir := t.TempDir()
	b := binaries{mcp: filepath.Join(dir, "iocloud-mcp"), slackbot: filepath.Join(dir, "iocloud-slackbot")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for out, pkg := range map[string]string{b.mcp: "../../cmd/iocloud-mcp", b.slackbot: "../../cmd/iocloud-slackbot"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		msg, err := cmd.CombinedOutput()
		require.NoError(t, err, "go build %s: %s", pkg, msg)
	}
	return b
}

// cleanEnv is the test's environment without any iocloud or Slack variable,
// so a developer's real credentials never reach these runs.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "IOCLOUD_") || strings.HasPrefix(kv, "SLACK_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startHTTPServer runs the README's `make run` invocation on a free loopback
// port and waits for /healthz.
func startHTTPServer(t *testing.T, bin string) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--sandbox", "--transport", "http", "--addr", addr)
	cmd.Env = append(cleanEnv(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})

	health := "http://" + addr + "/healthz"
	require.Eventually(t, func() bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
		if err != nil {
			return false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 15*time.Second, 50*time.Millisecond, "server did not become healthy: %s", &stderr)
	return "http://" + addr + "/mcp"
}

func runInspector(t *testing.T, cli, home string, args []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Env = append(cleanEnv(), "HOME="+home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "mcp-inspector %q\nstderr: %s", args, stderr.String())
	return stdout.String()
}

// checkInspectorOutput checks what each kind of README call must show.
func checkInspectorOutput(t *testing.T, args []string, out string) {
	t.Helper()
	method := argAfter(args, "--method")
	tool := argAfter(args, "--tool-name")
	switch method {
	case "tools/list":
		for _, name := range []string{"list_hardware", "list_available_replicas", "create_api_key"} {
			assert.Contains(t, out, name, "%q", args)
		}
	case "tools/call":
		var got struct {
			Result struct {
				IsError           bool           `json:"isError"`
				StructuredContent map[string]any `json:"structuredContent"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got), "%q printed %s", args, out)
		assert.False(t, got.Result.IsError, "%q: %s", args, out)
		sc := got.Result.StructuredContent
		isSandbox, _ := sc["sandbox"].(bool)
		assert.True(t, isSandbox, "%q should say sandbox: %s", args, out)
		switch tool {
		case "list_hardware":
			assert.Contains(t, out, "H100 80GB HBM3")
		case "list_available_replicas":
			assert.NotEmpty(t, sc["hardware"], "%q: %s", args, out)
		case "create_api_key":
			if hasTokenArg(args) {
				assert.Equal(t, "created", sc["status"], "%q: %s", args, out)
				assert.Equal(t, "approval_page", sc["secret_delivery"], "%q: %s", args, out)
				assert.NotContains(t, sc, "api_key", "the secret is only on the page")
			} else {
				assert.Equal(t, "approval_required", sc["status"], "%q: %s", args, out)
			}
		}
	case "resources/read":
		assert.Contains(t, out, `\"sandbox\": true`, "%q: %s", args, out)
		assert.Contains(t, out, "available_replicas", "%q: %s", args, out)
	case "prompts/get":
		assert.Contains(t, out, "list_hardware", "%q: %s", args, out)
		assert.Contains(t, out, "list_available_replicas", "%q: %s", args, out)
	default:
		t.Errorf("README Inspector call %q: method %q has no check here", args, method)
	}
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func hasTokenArg(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "confirmation_token=") {
			return true
		}
	}
	return false
}

// approvalOf reads approval_url and confirmation_token from an Inspector
// answer.
func approvalOf(t *testing.T, out string) (link, token string) {
	t.Helper()
	var got struct {
		Result struct {
			StructuredContent struct {
				ApprovalURL       string `json:"approval_url"`
				ConfirmationToken string `json:"confirmation_token"`
			} `json:"structuredContent"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	sc := got.Result.StructuredContent
	require.NotEmpty(t, sc.ApprovalURL, out)
	require.NotEmpty(t, sc.ConfirmationToken, out)
	return sc.ApprovalURL, sc.ConfirmationToken
}

// approveInBrowserWay is the person on the approval page: load it, press
// Approve. The POST carries what a browser sends from that page (the
// form's CSRF token, Origin: null under the page's no-referrer policy,
// Sec-Fetch-Site: same-origin); the answer must show the secret.
func approveInBrowserWay(t *testing.T, link string) {
	t.Helper()
	status, page, _ := testutil.PageGet(t, link)
	require.Equal(t, http.StatusOK, status, page)
	status, answer := testutil.PagePost(t, link, "approve", testutil.CSRFOf(t, page),
		map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusOK, status, answer)
	require.Contains(t, answer, `id="secret">io-v2-`, "the page shows the new key's secret")
}
