package slackbot

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
)

// Caps that keep a reply inside Slack's block and text limits.
const (
	maxHardwareRows  = 40
	maxReplicaTypes  = 12
	maxLocationsEach = 8
)

const sandboxNote = "Sandbox data: the built-in io.net simulator, not io.net."

func helpMessage(h iocloud.Hints, unknown string) *message {
	m := &message{title: "/iocloud: io.net GPUs and API keys"}
	if unknown != "" {
		m.title = fmt.Sprintf("I don't know %q. Here is what /iocloud can do:", unknown)
	}
	m.lines = []string{
		"`" + usage["hardware"] + "`\nGPU types io.net offers, with free GPUs and the most per container.",
		"`" + usage["replicas"] + "`\nWhere containers fit: one type (name or id) or every type with free GPUs, by country.",
		"`" + usage["price"] + "`\nWhat containers of a type would cost, cheapest location first, with io.net's fees.",
		"`" + usage["create-key"] + "`\nA new io.net API key, after you confirm a preview. Without a description, a form asks for the fields. Only people listed as key creators" + h.Of(iocloud.SettingSlackKeyCreators) + " may ask.",
		"`" + usage["keys"] + "`\nThe account's API keys, newest first, never their secrets; --all adds expired ones. Key creators only.",
		"`" + usage["revoke"] + "`\nRevoke an API key (its id is in /iocloud keys), after you confirm a preview of the key. Key creators only.",
		"`" + usage["help"] + "`\nThis text.",
	}
	m.notes = []string{"Answers are visible only to you; add --public to hardware, replicas or price to post in the channel."}
	return m
}

func usageMessage(err *UsageError) *message {
	return &message{
		title: err.Problem,
		lines: []string{"Use: `" + err.Usage() + "`"},
		notes: []string{"/iocloud help lists every command."},
	}
}

func textMessage(title string, lines ...string) *message {
	return &message{title: title, lines: lines}
}

func workingMessage(what string) *message {
	return &message{title: "Working on it…", lines: []string{what + " The answer follows in a moment."}}
}

// errorMessage says what failed and what to do, in the core's words.
func errorMessage(h iocloud.Hints, what string, err error) *message {
	return &message{title: what, lines: []string{h.Advice(err)}}
}

func timeoutMessage(what string, after time.Duration) *message {
	return &message{title: what, lines: []string{fmt.Sprintf("io.net did not answer within %s. Try again in a minute.", after.Round(time.Second))}}
}

func hardwareMessage(list *iocloud.HardwareList, public bool) *message {
	hw := slices.Clone(list.Hardware) // the list may be the cache's; never sort it in place
	slices.SortStableFunc(hw, func(a, b iocloud.Hardware) int {
		return cmp.Or(cmp.Compare(b.AvailableGPUs, a.AvailableGPUs), cmp.Compare(a.Name, b.Name))
	})
	t := table{header: []string{"Hardware", "Brand", "Free GPUs", "Max/container", "ID"}, numeric: []bool{false, false, true, true, true}}
	free := 0
	for i, h := range hw {
		free += h.AvailableGPUs
		if i == maxHardwareRows {
			t.more = fmt.Sprintf("…and %d more types", len(hw)-i)
			continue
		}
		if i > maxHardwareRows {
			continue
		}
		t.rows = append(t.rows, []string{h.Name, h.Brand, strconv.Itoa(h.AvailableGPUs), strconv.Itoa(h.MaxGPUsPerContainer), strconv.Itoa(h.ID)})
	}
	m := &message{
		title:  fmt.Sprintf("io.net GPU types: %d, with %d free GPUs", len(hw), free),
		public: public,
		notes:  []string{fetched(list.FetchedAt)},
	}
	if len(hw) == 0 {
		m.lines = []string{"io.net lists no hardware right now."}
		return m
	}
	m.tables = []titledTable{{table: t}}
	m.lines = []string{"Next: `/iocloud replicas <hardware> --gpus N` shows where containers of a type fit."}
	return m
}

func replicasMessage(rep *iocloud.ReplicaReport, s iocloud.ReplicaSearch, public bool) *message {
	gpus := max(rep.GPUsPerContainer, 1)
	scope := "every type with free GPUs"
	if s.Hardware != "" {
		scope = s.Hardware
	}
	if s.Country != "" {
		scope += " in " + s.Country
	}
	m := &message{
		title:  fmt.Sprintf("Containers with %d GPU%s, %s: %d replicas available", gpus, plural(gpus), scope, rep.TotalAvailableReplicas),
		public: public,
		notes:  []string{fetched(rep.FetchedAt)},
	}
	if len(rep.Hardware) == 0 || rep.TotalAvailableReplicas == 0 {
		m.lines = []string{"No location has room for that right now. Try fewer GPUs per container (--gpus), another country, or `/iocloud hardware` for what is free."}
	}
	shown := 0
	for _, h := range rep.Hardware {
		if len(h.Locations) == 0 && len(rep.Hardware) > 1 {
			continue
		}
		if shown == maxReplicaTypes {
			m.notes = append(m.notes, fmt.Sprintf("…and more types; name one to see it: /iocloud replicas <hardware> --gpus %d", gpus))
			break
		}
		shown++
		t := table{header: []string{"Country", "Location", "Replicas"}, numeric: []bool{false, false, true}}
		for i, l := range h.Locations {
			if i == maxLocationsEach {
				t.more = fmt.Sprintf("…and %d more locations", len(h.Locations)-i)
				break
			}
			t.rows = append(t.rows, []string{l.ISO2, l.Name, strconv.Itoa(l.AvailableReplicas)})
		}
		heading := fmt.Sprintf("%s (id %d): %d replicas", h.Hardware.Name, h.Hardware.ID, h.TotalAvailableReplicas)
		if len(h.Locations) == 0 {
			m.lines = append(m.lines, heading+", no location has room.")
			continue
		}
		m.tables = append(m.tables, titledTable{heading: heading, table: t})
	}
	return m
}

// previewMessage shows exactly what Confirm will create.
// onlyYouNote is the rule every preview states: the requester, once, in
// the confirmation window.
func onlyYouNote(expires time.Time) string {
	return fmt.Sprintf("Only you can confirm it, once, within %s (until %s).", iocloud.ConfirmationWindow(), expires.UTC().Format("15:04 MST"))
}

func previewMessage(h iocloud.Hints, p *iocloud.Pending, now time.Time) *message {
	r := p.Request
	m := &message{
		title:  "Create this io.net API key?",
		fields: keyFields(r.Description, r.Project, r.Scopes, r.ExpiresAt, now),
		buttons: &keyButtons{
			token: p.Token,
			summary: fmt.Sprintf("Key %q for project %s, scopes %s, expires %s. The secret will be shown to you once.",
				clip(r.Description, iocloud.MaxDescriptionLength), r.Project, strings.Join(r.Scopes, ", "), r.ExpiresAt.UTC().Format(time.DateOnly)),
		},
		notes: []string{onlyYouNote(p.ExpiresAt)},
	}
	if p.JWT.ExpiresSoon && !p.JWT.ExpiresAt.IsZero() {
		m.notes = append(m.notes, "The io.net session token"+h.Of(iocloud.SettingJWT)+" expires on "+p.JWT.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")+"; ask an admin to renew it.")
	}
	return m
}

// createdMessage replaces the preview: the key and, once, its secret.
func createdMessage(k *iocloud.CreatedKey, now time.Time) *message {
	m := &message{
		title:    "io.net API key created",
		fields:   append([]field{{label: "Key ID", value: k.Key.KeyID}, {label: "Shown as", value: k.Key.Display}}, keyFields(k.Key.Description, k.Key.Project, k.Key.Scopes, k.Key.ExpiresAt, now)...),
		secret:   k.Secret.Reveal(),
		replace:  true,
		fallback: "io.net API key created",
		notes:    []string{"This message is visible only to you and disappears when Slack reloads. The key is not stored anywhere else."},
	}
	return m
}

// createFailedMessage replaces the preview when a confirmed creation
// delivered no secret. Its title carries the outcome word the audit uses,
// so the person, the console and the audit log say the same thing.
func createFailedMessage(h iocloud.Hints, err error) *message {
	var fail *iocloud.CreateFailure
	if !errors.As(err, &fail) {
		return errorMessage(h, "The key was not created", err)
	}
	m := &message{lines: []string{h.Advice(err)}}
	switch fail.Outcome {
	case iocloud.OutcomeSecretUnavailable:
		m.title = "Key created, but its secret was lost (" + fail.Outcome + ")"
		if fail.Key != nil {
			m.fields = []field{{label: "Key ID", value: fail.Key.KeyID}, {label: "Shown as", value: fail.Key.Display}}
		}
	case iocloud.OutcomeUnknown:
		m.title = "Unknown whether the key was created (" + fail.Outcome + ")"
	default:
		m.title = "Nothing was created (" + fail.Outcome + ")"
	}
	return m
}

func cancelledMessage(r iocloud.KeyRequest) *message {
	m := &message{title: "Cancelled, nothing was created.", replace: true}
	if r.Description != "" {
		m.lines = []string{fmt.Sprintf("Request for key %q cancelled.", r.Description)}
	}
	return m
}

// noticeMessage tells the audit channel that a key was created. It never
// holds the secret.
func noticeMessage(k *iocloud.CreatedKey, who requester, now time.Time) *message {
	fs := []field{{label: "Created by", value: who.User, user: who.User}, {label: "Key ID", value: k.Key.KeyID}, {label: "Shown as", value: k.Key.Display}}
	return &message{
		title:    "An io.net API key was created from Slack",
		fields:   append(fs, keyFields(k.Key.Description, k.Key.Project, k.Key.Scopes, k.Key.ExpiresAt, now)...),
		fallback: "An io.net API key was created from Slack",
		notes:    []string{"The secret was shown only to the person who asked."},
	}
}

func keyFields(desc, project string, scopes []string, expires, now time.Time) []field {
	exp := expires.UTC().Format("2006-01-02 15:04 MST")
	if d := expires.Sub(now); d > 0 {
		exp += " (in " + humanDuration(d) + ")"
	}
	return []field{
		{label: "Description", value: desc},
		{label: "Project", value: project},
		{label: "Scopes", value: strings.Join(scopes, ", ")},
		{label: "Expires", value: exp},
	}
}

func humanDuration(d time.Duration) string {
	days := int((d + 12*time.Hour) / (24 * time.Hour))
	if days >= 1 {
		return fmt.Sprintf("%d day%s", days, plural(days))
	}
	hours := max(int((d+30*time.Minute)/time.Hour), 1)
	return fmt.Sprintf("%d hour%s", hours, plural(hours))
}

func fetched(t time.Time) string {
	if t.IsZero() {
		return "Just fetched."
	}
	return "Fetched at " + t.UTC().Format("15:04:05 MST") + "."
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
