package guard_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/guard"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/iocloud/state"
)

// The guard's two steps, as every frontend drives them: Prepare checks the
// request and returns a preview with a ticket, and nothing exists yet;
// Confirm, given that ticket by the same person, creates the key exactly
// once. A second Confirm with the same ticket creates nothing.
func ExampleGuard() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	client, err := iocloud.New(iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())), iocloud.WithJWT(iocloud.Secret(sb.JWT())))
	if err != nil {
		log.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	g := guard.New(guard.Config{
		Client: client,
		Policy: iocloud.DefaultPolicy(),    // 30 days unless asked, at most 180, scopes all/read/write
		Store:  state.NewMemory(),          // IOCLOUD_STATE=memory
		Audit:  guard.NewAudit(nil, quiet), // records go to the (here silent) log
		Logger: quiet,
	})
	ctx := context.Background()
	alice := iocloud.Actor{Frontend: "slack", ID: "T1/U1"}

	pending, err := g.Prepare(ctx, alice, iocloud.KeyAsk{Description: "ci deploy", Scopes: []string{"read"}}, "")
	if err != nil {
		log.Fatal(iocloud.Advice(err))
	}
	fmt.Printf("preview: %q, project %s, scopes %v\n", pending.Request.Description, pending.Request.Project, pending.Request.Scopes)
	fmt.Println("keys so far:", len(sb.CreatedKeys()))

	// Someone else cannot use Alice's ticket; it stays hers.
	bob := iocloud.Actor{Frontend: "slack", ID: "T1/U2"}
	_, err = g.Confirm(ctx, bob, pending.Token, "", "example")
	fmt.Println("bob:", errors.Is(err, iocloud.ErrTicketWrongActor))

	created, err := g.Confirm(ctx, alice, pending.Token, "", "example")
	if err != nil {
		log.Fatal(iocloud.Advice(err))
	}
	fmt.Println("created:", created.Key.Description, created.Key.Scopes, "secret delivered:", created.Secret.IsSet())

	_, err = g.Confirm(ctx, alice, pending.Token, "", "example")
	fmt.Println("again:", iocloud.Advice(err))
	fmt.Println("keys now:", len(sb.CreatedKeys()))
	// Output:
	// preview: "ci deploy", project io-cloud, scopes [read]
	// keys so far: 0
	// bob: true
	// created: ci deploy [read] secret delivered: true
	// again: This confirmation was already used, so nothing more was done; start over for another request.
	// keys now: 1
}

// Tickets on their own: Seal binds an action to a person (and optionally
// to the exact arguments) for TicketTTL; Open checks it and uses it up in
// the state store, so it works once — across replicas when they share the
// secret and the store.
func ExampleTickets() {
	store := state.NewMemory()
	tickets, err := guard.NewTickets(nil, store) // nil: a random key for this process
	if err != nil {
		log.Fatal(err)
	}
	token, sealed, err := tickets.Seal(context.Background(), guard.Ticket{Action: guard.ActionRevokeAPIKey, Actor: "mcp:local", KeyID: "3f0c2a7e-1111-4222-8333-944455556666"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid for:", time.Until(sealed.ExpiresAt).Round(time.Minute))

	ctx := context.Background()
	check := guard.TicketCheck{Action: guard.ActionRevokeAPIKey, Actor: "mcp:local"}
	_, err = tickets.Open(ctx, token, guard.TicketCheck{Action: guard.ActionCreateAPIKey, Actor: "mcp:local"})
	fmt.Println("for another action:", errors.Is(err, iocloud.ErrTicketMismatch))

	opened, err := tickets.Open(ctx, token, check)
	fmt.Println("first open:", err == nil, opened.KeyID)

	_, err = tickets.Open(ctx, token, check)
	fmt.Println("second open:", errors.Is(err, iocloud.ErrTicketUsed))

	_, err = tickets.Open(ctx, token[:len(token)-2]+"xx", check)
	fmt.Println("tampered:", errors.Is(err, iocloud.ErrTicketInvalid))
	// Output:
	// valid for: 10m0s
	// for another action: true
	// first open: true 3f0c2a7e-1111-4222-8333-944455556666
	// second open: true
	// tampered: true
}
