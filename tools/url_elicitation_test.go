package tools_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocloud-chatops/iocloud/tools"
)

// urlOpener is a client that declared URL elicitation: it is shown the
// approval page's URL and either "opens" it (accept) or not. With onOpen it
// also plays the person on the page before answering.
type urlOpener struct {
	mu     sync.Mutex
	action mcp.ElicitationResponseAction
	onOpen func(link string)
	seen   []mcp.ElicitationParams
}

func (u *urlOpener) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	u.mu.Lock()
	u.seen = append(u.seen, req.Params)
	u.mu.Unlock()
	if u.onOpen != nil && req.Params.Mode == mcp.ElicitationModeURL {
		u.onOpen(req.Params.URL)
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: u.action}}, nil
}

func (u *urlOpener) shown() []mcp.ElicitationParams {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]mcp.ElicitationParams(nil), u.seen...)
}

// urlClient connects a client that declares URL elicitation (and form too
// when withForm), in the given protocol era.
func urlClient(t *testing.T, e *env, u *urlOpener, era string, withForm bool) *client.Client {
	t.Helper()
	caps := &mcp.ElicitationCapability{URL: &struct{}{}}
	if withForm {
		caps.Form = &struct{}{}
	}
	return connect(t, e.srv, client.WithElicitationHandler(u), client.WithProtocolVersion(era),
		client.WithClientCapabilities(mcp.ClientCapabilities{Elicitation: caps}))
}

var eras = []string{mcp.LATEST_PROTOCOL_VERSION, mcp.ProtocolVersion20250618}

// A client that declared URL elicitation is sent to the approval page
// through it; its answer (the person agreed to open the page) approves
// nothing: the retry reports approval_pending, with the token to ask later.
func TestURLElicitationOpensThePageAndActsOnNothing(t *testing.T) {
	t.Parallel()
	for _, era := range eras {
		t.Run(era, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := &urlOpener{action: mcp.ElicitationResponseActionAccept}
			c := urlClient(t, e, u, era, false)

			res := call(t, c, "create_api_key", ciKey)
			require.False(t, res.IsError, textOf(res))
			shown := u.shown()
			require.Len(t, shown, 1, "one URL elicitation")
			assert.Equal(t, mcp.ElicitationModeURL, shown[0].Mode)
			assert.NotEmpty(t, shown[0].ElicitationID)
			assert.Contains(t, shown[0].URL, e.pageURL+"/approve/")
			assert.Contains(t, shown[0].Message, `"ci runner"`)
			assert.NotContains(t, shown[0].Message, shown[0].URL, "the URL travels in its own field")

			out := structuredOf(t, res)
			assert.Equal(t, "approval_pending", out["status"])
			assert.Equal(t, shown[0].URL, out["approval_url"])
			token, _ := out["confirmation_token"].(string)
			require.NotEmpty(t, token, "the assistant gets the token to ask for the outcome")
			assert.Contains(t, textOf(res), token)
			assert.Equal(t, 0, e.createdKeys(), "opening the page created nothing")

			e.decide(t, shown[0].URL, "approve", true)
			require.Equal(t, 1, e.createdKeys())
			secret := e.sb.CreatedKeys()[0].Value
			done := call(t, c, "create_api_key", withToken(ciKey, token))
			got := structuredOf(t, done)
			assert.Equal(t, "created", got["status"])
			assert.Equal(t, "approval_page", got["secret_delivery"])
			raw, _ := json.Marshal(done)
			assert.NotContains(t, string(raw), secret)
			assert.Len(t, u.shown(), 1, "a status call opens nothing")
		})
	}
}

// When the person approved on the page before the client answered, the
// retry already reports the key: created, without its secret.
func TestURLElicitationReportsAnApprovalMadeMeanwhile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := &urlOpener{action: mcp.ElicitationResponseActionAccept}
	u.onOpen = func(link string) { e.decide(t, link, "approve", true) }
	c := urlClient(t, e, u, mcp.LATEST_PROTOCOL_VERSION, false)

	res := call(t, c, "create_api_key", ciKey)
	require.Equal(t, 1, e.createdKeys())
	out := structuredOf(t, res)
	assert.Equal(t, "created", out["status"])
	assert.Empty(t, out["api_key"])
	assert.NotContains(t, textOf(res), e.sb.CreatedKeys()[0].Value)
}

// A client that would not open the page leaves the request waiting and
// says so; nothing is created or cancelled.
func TestURLElicitationDeclinedLeavesTheRequestWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := &urlOpener{action: mcp.ElicitationResponseActionDecline}
	c := urlClient(t, e, u, mcp.LATEST_PROTOCOL_VERSION, false)
	res := call(t, c, "create_api_key", ciKey)
	require.False(t, res.IsError, textOf(res))
	out := structuredOf(t, res)
	assert.Equal(t, "approval_pending", out["status"])
	assert.Contains(t, textOf(res), "did not open the approval page")
	assert.Equal(t, 0, e.createdKeys())
	e.decide(t, out["approval_url"].(string), "approve", true)
	assert.Equal(t, 1, e.createdKeys(), "the person can still approve from the link")
}

// url mode sends a client with both form and URL elicitation to the page
// through URL elicitation; auto mode keeps the form for it.
func TestURLElicitationModes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withMode(tools.ConfirmURL))
	u := &urlOpener{action: mcp.ElicitationResponseActionAccept}
	c := urlClient(t, e, u, mcp.LATEST_PROTOCOL_VERSION, true)
	assert.Equal(t, "approval_pending", structuredOf(t, call(t, c, "create_api_key", ciKey))["status"])
	require.Len(t, u.shown(), 1)
	assert.Equal(t, mcp.ElicitationModeURL, u.shown()[0].Mode)
	assert.Equal(t, 0, e.createdKeys())

	auto := newEnv(t)
	person := &urlOpener{action: mcp.ElicitationResponseActionCancel}
	c2 := urlClient(t, auto, person, mcp.LATEST_PROTOCOL_VERSION, true)
	assert.Equal(t, "cancelled", structuredOf(t, call(t, c2, "create_api_key", ciKey))["status"])
	require.Len(t, person.shown(), 1)
	assert.Equal(t, mcp.ElicitationModeForm, person.shown()[0].Mode, "auto prefers the client's own form")
}

func TestURLElicitationRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.existingKey(t)
	u := &urlOpener{action: mcp.ElicitationResponseActionAccept}
	c := urlClient(t, e, u, mcp.ProtocolVersion20250618, false)
	args := map[string]any{"key_id": key.KeyID}
	res := call(t, c, "revoke_api_key", args)
	out := structuredOf(t, res)
	require.Equal(t, "approval_pending", out["status"], textOf(res))
	require.Len(t, u.shown(), 1)
	assert.Equal(t, 0, e.revokes())
	e.decide(t, u.shown()[0].URL, "approve", true)
	assert.Equal(t, 1, e.revokes())
	token := out["confirmation_token"].(string)
	assert.Equal(t, "revoked", structuredOf(t, call(t, c, "revoke_api_key", withToken(args, token)))["status"])
}

// rawCall sends a tools/call with hand-made round-trip params, as a client
// that forges answers would (mcp-go's client only sends real ones).
func rawCall(t *testing.T, e *env, name string, args map[string]any, state string, responses map[string]any) map[string]any {
	t.Helper()
	msg, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": map[string]any{
		"name": name, "arguments": args, "requestState": state, "inputResponses": responses,
	}})
	require.NoError(t, err)
	raw, err := json.Marshal(e.srv.HandleMessage(context.Background(), msg))
	require.NoError(t, err)
	var resp struct {
		Result map[string]any `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &resp), string(raw))
	require.NotNil(t, resp.Result, string(raw))
	return resp.Result
}

// The token an approval_required answer hands the assistant cannot be
// dressed up as the client's form answer ("accepted", state = token), nor
// as an answer to the page's URL elicitation: neither creates, nor cancels,
// and the person can still approve on the page.
func TestForgedAnswersWithAnApprovalTokenDoNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	first := structuredOf(t, call(t, c, "create_api_key", ciKey))
	token, link := first["confirmation_token"].(string), first["approval_url"].(string)

	accept := map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	got := rawCall(t, e, "create_api_key", ciKey, token, accept)
	assert.Equal(t, true, got["isError"], "%v", got)
	assert.Contains(t, got["content"].([]any)[0].(map[string]any)["text"], "approval page")
	assert.NotContains(t, got, "structuredContent")

	decline := map[string]any{"confirm": map[string]any{"action": "decline"}}
	got = rawCall(t, e, "create_api_key", ciKey, token, decline)
	assert.Equal(t, true, got["isError"], "a forged decline cancels nothing: %v", got)

	opened := map[string]any{"approval": map[string]any{"action": "accept"}}
	got = rawCall(t, e, "create_api_key", ciKey, token, opened)
	assert.Equal(t, "approval_pending", got["structuredContent"].(map[string]any)["status"])

	assert.Equal(t, 0, e.createdKeys())
	assert.NotContains(t, e.audit.String(), `"outcome":"cancelled"`)
	e.decide(t, link, "approve", true)
	assert.Equal(t, 1, e.createdKeys(), "the ticket was left to the page")
}

func TestForgedAnswerWithARevokeApprovalTokenDoesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.existingKey(t)
	c := connect(t, e.srv)
	args := map[string]any{"key_id": key.KeyID}
	token := structuredOf(t, call(t, c, "revoke_api_key", args))["confirmation_token"].(string)
	accept := map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}
	got := rawCall(t, e, "revoke_api_key", args, token, accept)
	assert.Equal(t, true, got["isError"], "%v", got)
	assert.Equal(t, 0, e.revokes())
}
