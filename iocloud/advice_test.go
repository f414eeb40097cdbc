package iocloud

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAdvice(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("list_hardware: %w", err) }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"401 read", &APIError{StatusCode: 401, Method: "GET", Path: pathHardware},
			"io.net rejected the API key (401): check the configured io.net API key (IOCLOUD_API_KEY)."},
		{"401 create", &APIError{StatusCode: 401, Method: "POST", Path: pathCreateKey},
			"io.net rejected the session token (401): configure a fresh one (IOCLOUD_JWT). " + testHints.JWTHowTo()},
		{"403 read", wrap(&APIError{StatusCode: 403, Method: "GET", Path: pathHardware}),
			"io.net refused the API key (403): the key must belong to an io-cloud project; create one at https://ai.io.net/ai/api-keys and configure it as the API key (IOCLOUD_API_KEY)."},
		{"429 with Retry-After", wrap(&APIError{StatusCode: 429, RetryAfter: 1500 * time.Millisecond}),
			"io.net is rate limiting; wait 2 s and try again."},
		{"429 without", &APIError{StatusCode: 429}, "io.net is rate limiting; wait 5 s and try again."},
		{"422 fields", &APIError{StatusCode: 422, Fields: []FieldError{
			{Loc: []string{"query", "hardware_qty"}, Msg: "Input should be greater than or equal to 1"},
			{Loc: []string{"body", "scopes", "0"}, Msg: "Input should be 'all', 'read' or 'write'"},
		}}, "io.net rejected these parameters: hardware_qty (Input should be greater than or equal to 1); 0 (Input should be 'all', 'read' or 'write'); correct them and try again."},
		{"422 detail only", &APIError{StatusCode: 422, Detail: "bad project"}, "io.net rejected the request (422): bad project."},
		{"400 empty", &APIError{StatusCode: 400}, "io.net rejected the request (400); check what was sent."},
		{"503 read", &APIError{StatusCode: 503, Method: "GET"}, "io.net is unavailable or timed out; try again in a minute."},
		{"503 create", &APIError{StatusCode: 503, Method: "POST", Path: pathCreateKey},
			"io.net failed (503) while creating the key; " + ErrMayBeCreated.Error() + "."},
		{"connection", fmt.Errorf("%w: GET /x got no answer: %w", ErrUnavailable, errors.New("connection refused")),
			"io.net is unavailable or timed out; try again in a minute."},
		{"no jwt", ErrNoJWT, "Creating keys needs an io.net session token, and none is configured. " + testHints.JWTHowTo()},
		{"jwt expired", wrap(fmt.Errorf("%w (it expired on x)", ErrJWTExpired)),
			"The io.net session token (IOCLOUD_JWT) has expired; get a new one. " + testHints.JWTHowTo()},
		{"policy", wrap(&PolicyError{Field: "description", Problem: "is empty", Hint: "send 1 to 100 printable characters"}),
			"Description is empty; send 1 to 100 printable characters."},
		{"policy other wording", &PolicyError{Field: "expires", Problem: "both a lifetime and an expiry date were given", Hint: "send one of them."},
			"Expires: both a lifetime and an expiry date were given; send one of them."},
		{"ticket expired", wrap(ErrTicketExpired), "This confirmation has expired and nothing was done; start over and confirm within the time shown."},
		{"ticket used", ErrTicketUsed, "This confirmation was already used, so nothing more was done; start over for another request."},
		{"ticket actor", ErrTicketWrongActor, "Only the person who asked for this key can confirm it; ask them, or start your own request."},
		{"ticket mismatch", ErrTicketMismatch, "This confirmation was issued for a different request and nothing was done; start over with the request you want."},
		{"ticket invalid", ErrTicketInvalid, "This confirmation is not valid and nothing was done; start over."},
		{"approval on page", ErrApprovalOnPage, "This request waits for the person's decision on its approval page; a tool call can neither approve nor cancel it, so nothing was done. The person opens the approval link to decide; calling again with only the confirmation_token reports the outcome."},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), "The request was cancelled."},
		{"other", errors.New("something odd happened"), "Something odd happened."},
		// An answer that left the key action open, settled by the key list:
		// the list's verdict, without the cause's "may have … anyway".
		{"not created, settled by the list", &CreateFailure{Outcome: OutcomeNotCreated, Checked: true,
			Err: &APIError{StatusCode: 500, Method: "POST", Path: pathCreateKey}},
			"No key was created: io.net's answer to the key creation was an error (500), and its key list, read afterwards, shows no new key. It is safe to start over."},
		{"not created, timed out, settled by the list", &CreateFailure{Outcome: OutcomeNotCreated, Checked: true,
			Err: fmt.Errorf("%w: %w", ErrMayBeCreated, context.DeadlineExceeded)},
			"No key was created: io.net's answer to the key creation did not come in time, and its key list, read afterwards, shows no new key. It is safe to start over."},
		{"not created, refused", &CreateFailure{Outcome: OutcomeNotCreated,
			Err: &APIError{StatusCode: 403, Method: "POST", Path: pathCreateKey}},
			"No key was created; it is safe to start over. io.net refused to create the key (403): check that the project is io-cloud and that the session token (IOCLOUD_JWT) is the token of your own account."},
		{"not revoked, settled by the list", &RevokeFailure{Outcome: OutcomeNotRevoked, KeyID: "k1", Checked: true,
			Err: fmt.Errorf("%w: malformed; %w", ErrUnavailable, ErrMayBeRevoked)},
			"The key k1 was not revoked and still works: io.net's answer to the revocation was lost or unreadable, and its key list, read afterwards, still shows the key. Try again later."},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, testHints.Advice(tt.err), tt.name)
	}
}
