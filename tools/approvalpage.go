package tools

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// ApprovalPath is where the approval page lives: ApprovalPath + "{id}".
const ApprovalPath = "/approve/"

// Approvals is the part of the guard the approval page and the tools drive.
type Approvals interface {
	OpenApproval(ctx context.Context, actor iocloud.Actor, token, binding string) (*iocloud.Approval, error)
	ApprovalStatus(ctx context.Context, actor iocloud.Actor, action, token, binding string) (*iocloud.Approval, error)
	Approval(ctx context.Context, id string) (*iocloud.Approval, error)
	Approve(ctx context.Context, id string) (*iocloud.Approval, *iocloud.CreatedKey, error)
	CancelApproval(ctx context.Context, id string) (*iocloud.Approval, error)
}

// ApprovalPage serves /approve/{id}: the exact action with Approve and
// Cancel. The buttons POST a form carrying a CSRF token bound to the id,
// and only same-origin POSTs are taken; every answer forbids caching,
// framing and referrers. Approve performs the action at once, through the
// guard, and shows a new key's secret on this one answer only.
type ApprovalPage struct {
	Approvals Approvals
	// Origin is the server's own origin as browsers reach it
	// (scheme://host[:port]); POSTs from any other origin are refused.
	Origin string
	Logger *slog.Logger
	// Hints name where settings are configured (see Config.Hints).
	Hints iocloud.Hints
}

// pageStyle is the page's only style; the CSP allows exactly it by hash.
const pageStyle = `body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.6em}table{border-collapse:collapse;margin:1em 0;width:100%}
td{padding:.3em .8em;border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:anywhere}
td:first-child{color:#555;white-space:nowrap;width:1%}
button{font-size:1em;padding:.6em 1.4em;margin:0 1em .5em 0;border-radius:4px;border:1px solid #888;background:#f4f4f4;cursor:pointer}
#approve{background:#1a7f37;border-color:#116329;color:#fff;font-weight:600}
.secret{font-family:monospace;font-size:1.1em;background:#f4f4f4;padding:.6em;word-break:break-all;border:1px solid #ccc}
.warn{color:#8a3b00;font-weight:600}.sandbox{background:#eef;padding:.3em .6em}`

var contentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}()

func (p *ApprovalPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")

	id := strings.TrimPrefix(r.URL.Path, ApprovalPath)
	if id == "" || strings.Contains(id, "/") || len(id) > 64 {
		p.render(w, http.StatusNotFound, pageData{Title: "No such approval", Message: "This approval link is not valid."})
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p.show(w, r, id)
	case http.MethodPost:
		p.decide(w, r, id)
	default:
		h.Set("Allow", "GET, POST")
		http.Error(w, "use GET to see the request, or the page's buttons", http.StatusMethodNotAllowed)
	}
}

func (p *ApprovalPage) show(w http.ResponseWriter, r *http.Request, id string) {
	a, err := p.Approvals.Approval(r.Context(), id)
	if err != nil {
		p.fail(w, err)
		return
	}
	data := describe(a)
	if a.Pending() {
		if time.Now().After(a.ExpiresAt) {
			data.Message = "This request expired at " + stamp(a.ExpiresAt) + ". Nothing was done; ask again."
		} else {
			data.CSRF = a.CSRF()
			data.Action = ApprovalPath + id
		}
	} else {
		data.Message = decidedText(a)
	}
	p.render(w, http.StatusOK, data)
}

func (p *ApprovalPage) decide(w http.ResponseWriter, r *http.Request, id string) {
	if !p.sameOrigin(r) {
		p.log(r, "approval POST refused: not from this server's page",
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		p.render(w, http.StatusForbidden, pageData{Title: "Refused",
			Message: "This form can only be sent from the approval page itself. Nothing was done."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, pageData{Title: "Refused", Message: "The form could not be read. Nothing was done."})
		return
	}
	a, err := p.Approvals.Approval(r.Context(), id)
	if err != nil {
		p.fail(w, err)
		return
	}
	if !a.CheckCSRF(r.PostForm.Get("csrf")) {
		p.log(r, "approval POST refused: CSRF token missing or wrong")
		p.render(w, http.StatusForbidden, pageData{Title: "Refused",
			Message: "This form is not the one this server showed. Reload the approval page. Nothing was done."})
		return
	}
	// The action belongs to the person's click, not to this request: a
	// closed tab must not cut it short.
	ctx := context.WithoutCancel(r.Context())
	switch r.PostForm.Get("decision") {
	case "approve":
		a2, key, err := p.Approvals.Approve(ctx, id)
		if a2 == nil {
			a2 = a
		}
		data := describe(a2)
		data.Message = decidedText(a2)
		if err != nil {
			data.Message = p.Hints.Advice(err)
			if errors.Is(err, iocloud.ErrTicketUsed) {
				data.Message = "This request was already decided; it works only once. " + decidedText(a2)
			}
		}
		if key != nil {
			data.Secret = key.Secret.Reveal()
			data.Message = "Approved: the key was created (key id " + a2.KeyID + ", shown as " + a2.Display + ")."
		}
		p.render(w, http.StatusOK, data)
	case "cancel":
		a2, err := p.Approvals.CancelApproval(ctx, id)
		if a2 == nil {
			a2 = a
		}
		data := describe(a2)
		data.Message = decidedText(a2)
		if err != nil {
			data.Message = p.Hints.Advice(err)
		}
		p.render(w, http.StatusOK, data)
	default:
		p.render(w, http.StatusBadRequest, pageData{Title: "Refused", Message: "Press Approve or Cancel. Nothing was done."})
	}
}

// sameOrigin accepts a POST only from a browser on this server's own page:
// Origin must be ours, or, where the browser withholds it, Sec-Fetch-Site
// must say same-origin. A request with neither (curl, a script) is refused.
//
// The browser does withhold it for the page's own buttons: this page's
// Referrer-Policy is no-referrer, and under that policy browsers send
// "Origin: null" with every POST (Fetch: "serialize a request origin"). They
// still send Sec-Fetch-Site, which a page cannot set, to loopback and https
// servers; a page from elsewhere gets cross-site or same-site there. Over
// plain http off loopback browsers send neither, and the page cannot be used
// (the README says so; serve it over https).
func (p *ApprovalPage) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		return strings.EqualFold(strings.TrimSuffix(o, "/"), p.origin(r))
	}
	return r.Header.Get("Sec-Fetch-Site") == "same-origin"
}

func (p *ApprovalPage) origin(r *http.Request) string {
	if p.Origin != "" {
		return strings.TrimSuffix(p.Origin, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (p *ApprovalPage) fail(w http.ResponseWriter, err error) {
	if errors.Is(err, iocloud.ErrStateUnavailable) {
		p.render(w, http.StatusServiceUnavailable, pageData{Title: "Try again shortly", Message: p.Hints.Advice(err)})
		return
	}
	p.render(w, http.StatusNotFound, pageData{Title: "No such approval",
		Message: "This approval link is unknown or has expired. Nothing was done; ask your assistant again."})
}

func (p *ApprovalPage) log(r *http.Request, msg string, attrs ...any) {
	if p.Logger != nil {
		p.Logger.WarnContext(r.Context(), msg, append([]any{"path", ApprovalPath + "…"}, attrs...)...)
	}
}

type pageData struct {
	Title   string
	Rows    [][2]string
	Sandbox bool
	Message string
	CSRF    string
	Action  string
	Secret  string
}

func describe(a *iocloud.Approval) pageData {
	d := pageData{Sandbox: a.Sandbox, Title: titleOf(a)}
	who := a.Actor
	if a.ActorName != "" {
		who += " (" + a.ActorName + ")"
	}
	if a.Actor == "mcp:local" {
		// stdio, or HTTP on loopback without tokens: whoever uses this computer.
		who = "mcp:local (an assistant on this computer)"
	}
	if a.Action == revokeKeyTool {
		d.Rows = [][2]string{{"Key id", a.KeyID}, {"Shown as", a.Display}, {"Description", a.Request.Description},
			{"Expires", stamp(a.Request.ExpiresAt)}, {"Asked by", who}}
	} else {
		d.Rows = [][2]string{{"Description", a.Request.Description}, {"Project", a.Request.Project},
			{"Scopes", strings.Join(a.Request.Scopes, ", ")}, {"Expires", stamp(a.Request.ExpiresAt)}, {"Asked by", who}}
	}
	if a.Pending() {
		d.Rows = append(d.Rows, [2]string{"Decide before", stamp(a.ExpiresAt)})
	}
	return d
}

// titleOf is the page's heading: the question while it waits, the outcome
// once decided.
func titleOf(a *iocloud.Approval) string {
	revoke := a.Action == "revoke_api_key"
	switch {
	case a.Pending() && revoke:
		return "Revoke this io.net API key?"
	case a.Pending():
		return "Create this io.net API key?"
	case a.Status == iocloud.OutcomeCancelled && revoke:
		return "Cancelled: the key was not revoked"
	case a.Status == iocloud.OutcomeCancelled:
		return "Cancelled: no key was created"
	case a.Status == iocloud.OutcomeRevoked:
		return "io.net API key revoked"
	case a.Status == iocloud.OutcomeCreated:
		return "io.net API key created"
	case a.Status == iocloud.ApprovalWorking:
		return "Approved: working on it"
	case revoke:
		return "Revoking the io.net API key: " + a.Status
	}
	return "Creating the io.net API key: " + a.Status
}

func decidedText(a *iocloud.Approval) string {
	switch a.Status {
	case iocloud.OutcomeCreated:
		return "Approved: the key was created (key id " + a.KeyID + ", shown as " + a.Display + "). Its secret was shown once, right after approval, and is not shown again."
	case iocloud.OutcomeRevoked:
		return "Approved: the key " + a.KeyID + " was revoked."
	case iocloud.OutcomeCancelled:
		return "Cancelled: nothing was done."
	case iocloud.ApprovalWorking:
		return "Approved: the action is running; reload in a few seconds."
	}
	if a.Reason != "" {
		return a.Status + ": " + a.Reason
	}
	return "Decided: " + a.Status + "."
}

var pageTemplate = template.Must(template.New("approval").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>{{.Title}} — iocloud</title>
<style>` + pageStyle + `</style></head><body>
<h1>{{.Title}}</h1>
{{if .Sandbox}}<p class="sandbox">Sandbox: this acts on the built-in simulator, not on real io.net.</p>{{end}}
{{if .Rows}}<table>{{range .Rows}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}
{{if .Secret}}<p class="warn">The new key's secret, shown this once. Copy it now; reloading will not show it again.</p>
<p class="secret" id="secret">{{.Secret}}</p>{{end}}
{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{if .CSRF}}<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>
</form>{{end}}
</body></html>`))

func (p *ApprovalPage) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}

// approvalURL joins the server's public base and an approval id.
func approvalURL(base, id string) string {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil {
		return strings.TrimSuffix(base, "/") + ApprovalPath + id
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + ApprovalPath + id
	return u.String()
}
