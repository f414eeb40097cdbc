package iocloud_test

import (
	"context"
	"fmt"
	"log"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
)

// A client against the built-in sandbox (iocloud-mcp --sandbox serves the
// same simulator); against io.net, leave out WithBaseURL and pass the real
// API key. Every error from the client has an Advice for a person.
func ExampleClient_Hardware() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	client, err := iocloud.New(
		iocloud.WithBaseURL(sb.URL()),
		iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())),
		iocloud.WithSandbox(true),
	)
	if err != nil {
		log.Fatal(err)
	}

	list, err := client.Hardware(context.Background())
	if err != nil {
		log.Fatal(iocloud.Advice(err))
	}
	for _, h := range list.Hardware[:3] {
		fmt.Printf("%d %s: up to %d GPUs per container\n", h.ID, h.Name, h.MaxGPUsPerContainer)
	}
	// Output:
	// 7 H100 80GB HBM3: up to 8 GPUs per container
	// 8 H100 80GB PCIe: up to 8 GPUs per container
	// 15 A100 80GB SXM: up to 8 GPUs per container
}

// FindReplicas takes a hardware name or id as a person types it and says
// where containers of that size fit, most room first. Out-of-range input is
// refused before io.net is asked, with advice naming the limit.
func ExampleClient_FindReplicas() {
	sb, err := sandbox.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	client, err := iocloud.New(iocloud.WithBaseURL(sb.URL()), iocloud.WithAPIKey(iocloud.Secret(sb.APIKey())))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	report, err := client.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: "h100 80gb hbm3", GPUsPerContainer: 4})
	if err != nil {
		log.Fatal(iocloud.Advice(err))
	}
	for _, hw := range report.Hardware {
		fmt.Printf("%s, %d GPUs each:\n", hw.Hardware.Name, report.GPUsPerContainer)
		for _, loc := range hw.Locations {
			fmt.Printf("  %s: %d\n", loc.ISO2, loc.AvailableReplicas)
		}
	}

	_, err = client.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: "7", GPUsPerContainer: iocloud.MaxGPUsPerContainer + 1})
	fmt.Println(iocloud.Advice(err))
	// Output:
	// H100 80GB HBM3, 4 GPUs each:
	//   CA: 4
	//   DE: 3
	//   US: 3
	// GPUs per container must be between 1 and 8, got 9.
}
