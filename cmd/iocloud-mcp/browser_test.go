package main

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/internal/testutil"
)

// A real browser on the approval page: Debian's chromium, headless, driven
// over the DevTools protocol by chromedp, against the built binary. The
// assistant (the official go-sdk client) asks for a key; the person opens
// the link, reads exactly what will be created, presses Approve and reads
// the secret, once; a reload no longer shows it. A page from another
// origin, even one that knows the form's CSRF token, approves nothing.
//
// Without chromium the test is skipped on a developer's machine and fails in
// CI (CI=true), where .ci/run installs it. IOCLOUD_SCREENSHOTS=DIR keeps the
// screenshots it takes.
func TestBrowserApprovalPage(t *testing.T) {
	browser := startBrowser(t)
	srv := startHTTP(t, baseEnv(), "--sandbox")
	cs := httpSession(t, srv.url, nil, nil, "2026-07-28")

	t.Run("approve shows the secret once", func(t *testing.T) {
		args := map[string]any{"description": "browser approval", "expires_in_days": 7, "scopes": []any{"read"}}
		link, token := askForKey(t, cs, args)
		tab := newTab(t, browser)

		require.NoError(t, tab.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("approve"))))
		page := bodyText(t, tab)
		for _, want := range []string{"Create this io.net API key?", "browser approval", "io-cloud", "read", "Sandbox",
			"an assistant on this computer", "Approve", "Cancel"} {
			assert.Contains(t, page, want)
		}
		assertAboveTheFold(t, tab, "approve")
		assert.Equal(t, 0, countKeys(t, cs, "browser approval"), "looking at the page creates nothing")

		require.NoError(t, tab.do(chromedp.Click(chromedp.ID("approve"))))
		waitFor(t, tab, `document.getElementById("secret") !== null || document.title.startsWith("Refused")`)
		require.NotContains(t, bodyText(t, tab), "Refused", "the page's own button was taken")
		secret, err := chromedp.Run(tab.ctx, chromedp.Text(chromedp.ID("secret")))
		require.NoError(t, err)
		secret = strings.TrimSpace(secret)
		require.True(t, strings.HasPrefix(secret, "io-v2-"), "the secret is on the page: %q", secret)
		assert.Contains(t, bodyText(t, tab), "shown this once")
		assert.Contains(t, bodyText(t, tab), "io.net API key created")
		screenshot(t, tab, "approval-approved.png")

		keys := keysNamed(t, cs, "browser approval")
		require.Len(t, keys, 1, "one click, one key")
		display, _ := keys[0]["display"].(string)
		head, tail, ok := strings.Cut(display, "...")
		require.True(t, ok, "masked form %q", display)
		assert.True(t, strings.HasPrefix(secret, head) && strings.HasSuffix(secret, tail),
			"the page showed the secret of the key io.net lists (%s)", display)

		// A reload (which resends the form) and a fresh visit both show the
		// outcome without the secret, and no buttons.
		for _, step := range []chromedp.Action[chromedp.Void]{chromedp.Reload(), chromedp.Navigate(link)} {
			require.NoError(t, tab.do(step))
			again := bodyText(t, tab)
			assert.NotContains(t, again, secret)
			assert.Contains(t, again, "created")
			assert.NotContains(t, again, "Approve\n")
		}
		screenshot(t, tab, "approval-revisited.png")
		assert.Len(t, keysNamed(t, cs, "browser approval"), 1, "the reload created nothing more")

		got := callTool(t, cs, "create_api_key", withToken(args, token))
		out := structuredOf(t, got)
		assert.Equal(t, "created", out["status"])
		assert.Equal(t, "approval_page", out["secret_delivery"])
		assert.NotContains(t, textOf(got), secret, "the assistant never sees the secret")
	})

	t.Run("another origin cannot approve", func(t *testing.T) {
		args := map[string]any{"description": "cross origin", "expires_in_days": 7}
		link, _ := askForKey(t, cs, args)
		csrf := csrfOfPage(t, link) // the worst case: the attacker even knows the form's token

		attacker := httptest.NewServer(attackerPages(link, csrf))
		t.Cleanup(attacker.Close)
		require.NotEqual(t, originOf(attacker.URL), originOf(link), "a different origin (another port)")
		tab := newTab(t, browser)

		// A form on the attacker's page that submits itself to the
		// approval URL: the browser goes there and gets the refusal.
		require.NoError(t, tab.do(chromedp.Navigate(attacker.URL+"/form")))
		waitFor(t, tab, fmt.Sprintf(`location.href === %q && document.body.innerText.includes("Refused")`, link))

		// A script's fetch (no-cors, so the browser sends it without asking).
		require.NoError(t, tab.do(chromedp.Navigate(attacker.URL+"/fetch")))
		waitFor(t, tab, `window.result !== "pending"`)
		sent, err := eval[string](tab, `window.result`)
		require.NoError(t, err)
		assert.Equal(t, "sent", sent, "the browser did send the POST")

		assert.Equal(t, 0, countKeys(t, cs, "cross origin"), "no cross-origin request created a key")
		assert.Contains(t, srv.stderr.String(), "approval POST refused: not from this server's page")

		// The person's own page still offers the decision.
		require.NoError(t, tab.do(chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("approve"))))
	})
}

// chrome is a running headless chromium; browserTab is one of its tabs. Both wrap
// chromedp's contexts, which are handles on the browser rather than request
// scopes.
type chrome struct{ ctx context.Context }

type browserTab struct{ ctx context.Context }

// startBrowser starts headless chromium for the test; tabs are made from it
// with newTab.
func startBrowser(t *testing.T) chrome {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		testutil.RequireOrSkip(t, "chromium is not installed (apt-get install chromium; .ci/run does it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 800),
		chromedp.DisableGPU,
		// CI runs as root in a container, where chromium's own sandbox
		// cannot start; the pages it loads are the test's own.
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	life, stop := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(stop)
	alloc, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser), "start chromium at %s", path)
	return chrome{browser}
}

func newTab(t *testing.T, browser chrome) browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	return browserTab{ctx}
}

// do runs chromedp steps in the tab.
func (tb browserTab) do(steps ...chromedp.Action[chromedp.Void]) error {
	return chromedp.Do(tb.ctx, steps...)
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](tb browserTab, expression string) (T, error) {
	return chromedp.Run(tb.ctx, chromedp.Evaluate[T](expression))
}

// waitFor evaluates a JavaScript condition in the tab until it holds; the
// page may be navigating meanwhile (a form was submitted), so evaluation
// errors are retried too.
func waitFor(t *testing.T, tb browserTab, condition string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := eval[bool](tb, condition)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s (last error %v); the page says: %s", condition, err, bodyText(t, tb))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func bodyText(t *testing.T, tb browserTab) string {
	t.Helper()
	text, err := eval[string](tb, `document.body ? document.body.innerText : ""`)
	require.NoError(t, err)
	return text
}

// assertAboveTheFold checks the person sees the element without scrolling,
// on a laptop window and on a phone-sized one.
func assertAboveTheFold(t *testing.T, tb browserTab, id string) {
	t.Helper()
	for _, size := range [][2]int{{1000, 800}, {390, 700}} {
		require.NoError(t, tb.do(chromedp.EmulateViewport(int64(size[0]), int64(size[1]))))
		bottom, err := eval[float64](tb, fmt.Sprintf(`document.getElementById(%q).getBoundingClientRect().bottom`, id))
		require.NoError(t, err)
		assert.LessOrEqualf(t, bottom, float64(size[1]), "#%s is visible without scrolling at %dx%d", id, size[0], size[1])
		width, err := eval[float64](tb, `document.documentElement.scrollWidth`)
		require.NoError(t, err)
		assert.LessOrEqualf(t, width, float64(size[0]), "no sideways scrolling at %dx%d", size[0], size[1])
		screenshot(t, tb, fmt.Sprintf("approval-pending-%dx%d.png", size[0], size[1]))
	}
	require.NoError(t, tb.do(chromedp.EmulateViewport(1000, 800)))
}

// screenshot captures the tab as a PNG; it is kept in IOCLOUD_SCREENSHOTS
// when that names a directory.
func screenshot(t *testing.T, tb browserTab, name string) {
	t.Helper()
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	_, err = png.Decode(bytes.NewReader(buf))
	require.NoError(t, err, "a PNG screenshot")
	if dir := os.Getenv("IOCLOUD_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), buf, 0o600))
	}
}

// askForKey is the assistant's first call: nothing is created, the answer
// carries the approval link and the token.
func askForKey(t *testing.T, cs *mcp.ClientSession, args map[string]any) (link, token string) {
	t.Helper()
	res := callTool(t, cs, "create_api_key", args)
	require.False(t, res.IsError, textOf(res))
	out := structuredOf(t, res)
	require.Equal(t, "approval_required", out["status"], textOf(res))
	link, _ = out["approval_url"].(string)
	token, _ = out["confirmation_token"].(string)
	require.NotEmpty(t, link)
	require.NotEmpty(t, token)
	return link, token
}

// keysNamed lists the account's keys (through the server, from its
// sandbox) with this description.
func keysNamed(t *testing.T, cs *mcp.ClientSession, description string) []map[string]any {
	t.Helper()
	res := callTool(t, cs, "list_api_keys", map[string]any{"include_expired": true})
	require.False(t, res.IsError, textOf(res))
	var found []map[string]any
	keys, _ := structuredOf(t, res)["keys"].([]any)
	for _, k := range keys {
		if m, ok := k.(map[string]any); ok && m["description"] == description {
			found = append(found, m)
		}
	}
	return found
}

func countKeys(t *testing.T, cs *mcp.ClientSession, description string) int {
	t.Helper()
	return len(keysNamed(t, cs, description))
}

// csrfOfPage reads the form's CSRF token from the approval page.
func csrfOfPage(t *testing.T, link string) string {
	t.Helper()
	page, err := get(link)
	require.NoError(t, err)
	return testutil.CSRFOf(t, page.body)
}

func originOf(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// attackerPages is another site's pages aimed at the approval URL: /form
// submits the approval form itself, /fetch posts it from a script.
func attackerPages(link, csrf string) http.Handler {
	form := template.Must(template.New("form").Parse(`<!doctype html><title>free GPUs</title>
<form id="f" method="post" action="{{.Link}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
<input type="hidden" name="decision" value="approve"></form>
<script>document.getElementById("f").submit()</script>`))
	fetch := template.Must(template.New("fetch").Parse(`<!doctype html><title>free GPUs</title>
<script>
window.result = "pending";
fetch({{.Link}}, {method: "POST", mode: "no-cors", credentials: "include",
  headers: {"Content-Type": "application/x-www-form-urlencoded"},
  body: "decision=approve&csrf=" + encodeURIComponent({{.CSRF}})})
  .then(() => { window.result = "sent"; }, (e) => { window.result = "error: " + e; });
</script>`))
	data := struct{ Link, CSRF string }{link, csrf}
	mux := http.NewServeMux()
	mux.HandleFunc("/form", func(w http.ResponseWriter, _ *http.Request) { _ = form.Execute(w, data) })
	mux.HandleFunc("/fetch", func(w http.ResponseWriter, _ *http.Request) { _ = fetch.Execute(w, data) })
	return mux
}
