package iocloud

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// defaultRateLimitWait is suggested when a 429 carries no Retry-After.
const defaultRateLimitWait = 5 * time.Second

// Advice turns an error from this package into one or two sentences telling
// a person what to do, naming settings in the core's own terms. Frontends
// use Hints.Advice, which also says where each setting is configured.
func Advice(err error) string { return Hints(nil).Advice(err) }

// Advice turns an error from this package into one or two sentences telling
// a person what to do, naming each setting to check with h. Both frontends
// use it, so the wording lives here once. It never contains a secret: it is
// built from the package's own errors, whose texts hold none.
func (h Hints) Advice(err error) string {
	if err == nil {
		return ""
	}
	var (
		apiErr    *APIError
		policyErr *PolicyError
		lookupErr *HardwareLookupError
		inputErr  *InputError
		noJWT     *noJWTError
		createErr *CreateFailure
		revokeErr *RevokeFailure
		limitErr  *LimitError
	)
	switch {
	case errors.As(err, &createErr):
		return h.createAdvice(createErr)
	case errors.As(err, &revokeErr):
		return h.revokeAdvice(revokeErr)
	case errors.As(err, &limitErr):
		return sentence(limitErr.Error()) + " Finish or cancel an open request, or wait; other people are not affected."
	case errors.Is(err, ErrStateUnavailable):
		return "Key actions are paused: the server's confirmation store cannot be reached, so nothing was created or revoked. Reads still work; ask the operator to check the state store."
	case errors.As(err, &policyErr):
		return policyAdvice(policyErr)
	case errors.As(err, &lookupErr):
		return sentence(lookupErr.Error())
	case errors.As(err, &inputErr):
		return sentence(inputErr.Error())
	case errors.As(err, &noJWT):
		return strings.ToUpper(noJWT.action[:1]) + noJWT.action[1:] + " needs an io.net session token, and none is configured. " + h.JWTHowTo()
	case errors.Is(err, ErrKeyNotFound):
		return "io.net has no API key with that id (404): it may have been revoked already or belong to another account; list the keys to see which exist."
	case errors.Is(err, ErrNoJWT):
		return "Creating keys needs an io.net session token, and none is configured. " + h.JWTHowTo()
	case errors.Is(err, ErrJWTExpired):
		return "The io.net session token" + h.Of(SettingJWT) + " has expired; get a new one. " + h.JWTHowTo()
	case errors.As(err, &apiErr):
		if advice := h.apiAdvice(apiErr); advice != "" {
			return advice
		}
	case errors.Is(err, ErrTicketExpired):
		return "This confirmation has expired and nothing was done; start over and confirm within the time shown."
	case errors.Is(err, ErrTicketUsed):
		return "This confirmation was already used, so nothing more was done; start over for another request."
	case errors.Is(err, ErrTicketWrongActor):
		return "Only the person who asked for this key can confirm it; ask them, or start your own request."
	case errors.Is(err, ErrTicketMismatch):
		return "This confirmation was issued for a different request and nothing was done; start over with the request you want."
	case errors.Is(err, ErrApprovalOnPage):
		return "This request waits for the person's decision on its approval page; a tool call can neither approve nor cancel it, so nothing was done. The person opens the approval link to decide; calling again with only the confirmation_token reports the outcome."
	case errors.Is(err, ErrTicketStale):
		return "This confirmation was issued before the server restarted (or by another server), so it cannot be checked here; nothing was done. Start over."
	case errors.Is(err, ErrTicketInvalid):
		return "This confirmation is not valid and nothing was done; start over."
	case errors.Is(err, ErrUnavailable):
		if errors.Is(err, ErrMayBeCreated) {
			return "io.net did not answer properly to the key creation; " + ErrMayBeCreated.Error() + "."
		}
		if errors.Is(err, ErrMayBeRevoked) {
			return "io.net did not answer properly to the revocation; " + ErrMayBeRevoked.Error() + "."
		}
		return "io.net is unavailable or timed out; try again in a minute."
	case errors.Is(err, ErrRedirect):
		return sentence("io.net answered with a redirect that was not followed (" + err.Error() + "); check the io.net base URL" + h.Of(SettingBaseURL))
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	}
	return sentence(err.Error())
}

// apiAdvice says what to do about an io.net answer; "" leaves it to the
// default (the error's own text).
func (h Hints) apiAdvice(e *APIError) string {
	creating := strings.HasSuffix(e.Path, pathCreateKey) && e.Method != http.MethodGet
	keys := strings.Contains(e.Path, pathAPIKeys) // every key route takes the session token
	switch {
	case errors.Is(e, ErrUnauthorized) && keys:
		return "io.net rejected the session token (401): configure a fresh one" + h.Of(SettingJWT) + ". " + h.JWTHowTo()
	case errors.Is(e, ErrUnauthorized):
		return "io.net rejected the API key (401): check the configured io.net API key" + h.Of(SettingAPIKey) + "."
	case errors.Is(e, ErrForbidden) && creating:
		return "io.net refused to create the key (403): check that the project is " + ProjectIOCloud + " and that the session token" + h.Of(SettingJWT) + " is the token of your own account."
	case errors.Is(e, ErrForbidden) && keys:
		return "io.net refused access to the API keys (403): check that the session token" + h.Of(SettingJWT) + " is the token of your own account."
	case errors.Is(e, ErrForbidden):
		return "io.net refused the API key (403): the key must belong to an " + ProjectIOCloud + " project; create one at https://ai.io.net/ai/api-keys and configure it as the API key" + h.Of(SettingAPIKey) + "."
	case e.StatusCode == http.StatusBadRequest && e.KeySet:
		// io.net has answered 400 {"key_set": true} to keys made for another
		// project (new-api issue #2794).
		return "io.net refused the API key (400 key_set): the key must belong to an " + ProjectIOCloud + " project; create one at https://ai.io.net/ai/api-keys and configure it as the API key" + h.Of(SettingAPIKey) + "."
	case errors.Is(e, ErrRateLimited):
		wait := e.RetryAfter
		if wait <= 0 {
			wait = defaultRateLimitWait
		}
		return fmt.Sprintf("io.net is rate limiting; wait %d s and try again.", int(math.Ceil(wait.Seconds())))
	case errors.Is(e, ErrValidation):
		return validationAdvice(e)
	case errors.Is(e, ErrNotFound):
		return fmt.Sprintf("io.net has no such resource (404 for %s %s); check the id, and the io.net base URL%s.", e.Method, e.Path, h.Of(SettingBaseURL))
	case errors.Is(e, ErrUnavailable):
		switch e.Method {
		case http.MethodPost:
			return fmt.Sprintf("io.net failed (%d) while creating the key; %v.", e.StatusCode, ErrMayBeCreated)
		case http.MethodDelete:
			return fmt.Sprintf("io.net failed (%d) while revoking the key; %v.", e.StatusCode, ErrMayBeRevoked)
		}
		return "io.net is unavailable or timed out; try again in a minute."
	}
	return ""
}

func validationAdvice(e *APIError) string {
	if len(e.Fields) == 0 {
		if e.Detail == "" {
			return fmt.Sprintf("io.net rejected the request (%d); check what was sent.", e.StatusCode)
		}
		return sentence(fmt.Sprintf("io.net rejected the request (%d): %s", e.StatusCode, e.Detail))
	}
	parts := make([]string, 0, len(e.Fields))
	for i, f := range e.Fields {
		if i == shownFields {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Fields)-shownFields))
			break
		}
		name, msg := f.Name(), f.Msg
		switch {
		case name == "":
			parts = append(parts, msg)
		case msg == "":
			parts = append(parts, name)
		default:
			parts = append(parts, name+" ("+msg+")")
		}
	}
	return sentence("io.net rejected these parameters: " + strings.Join(parts, "; ") + "; correct them and try again")
}

func policyAdvice(e *PolicyError) string {
	text := e.Field
	switch {
	case e.Problem == "":
		text += " breaks the key policy"
	case text == "":
		text = e.Problem
	case strings.HasPrefix(e.Problem, "is ") || strings.HasPrefix(e.Problem, "are ") || strings.HasPrefix(e.Problem, "contains "):
		text += " " + e.Problem
	default:
		text += ": " + e.Problem
	}
	if e.Hint != "" {
		text = strings.TrimSuffix(text, ".") + "; " + e.Hint
	}
	return sentence(text)
}

// sentence capitalizes s (except the name io.net) and ends it with a full
// stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if !strings.HasPrefix(s, "io.net") {
		r, size := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// createAdvice says what a person should do after a confirmed creation
// that delivered no secret.
func (h Hints) createAdvice(e *CreateFailure) string {
	switch e.Outcome {
	case OutcomeSecretUnavailable:
		return fmt.Sprintf("The key was created (key id %s, shown as %s) but its secret was lost with io.net's answer. "+
			"Revoke that key and create a new one.", e.Key.KeyID, e.Key.Display)
	case OutcomeUnknown:
		return "io.net's answer to the key creation was lost and the key list could not be read, so it is unknown whether the key exists. " +
			"Look at your API keys (list them) before trying again."
	}
	if e.Checked {
		// Err's own advice would say the key may exist; the list says not.
		return "No key was created: io.net's answer to the key creation " + whatWentWrong(e.Err) +
			", and its key list, read afterwards, shows no new key. It is safe to start over."
	}
	return "No key was created; it is safe to start over. " + h.Advice(e.Err)
}

func (h Hints) revokeAdvice(e *RevokeFailure) string {
	switch {
	case e.Outcome == OutcomeUnknown:
		return "io.net's answer to the revocation was lost and the key list could not be read; list the keys to see whether " + e.KeyID + " is gone."
	case e.Checked:
		return "The key " + e.KeyID + " was not revoked and still works: io.net's answer to the revocation " + whatWentWrong(e.Err) +
			", and its key list, read afterwards, still shows the key. Try again later."
	}
	return "The key " + e.KeyID + " was not revoked and still works. " + h.Advice(e.Err)
}

// whatWentWrong names, for a person, how an answer that left a key action
// open failed: "was an error (502)", "did not come in time", "was lost".
func whatWentWrong(err error) string {
	var api *APIError
	switch {
	case errors.As(err, &api):
		return fmt.Sprintf("was an error (%d)", api.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "did not come in time"
	}
	return "was lost or unreadable"
}
