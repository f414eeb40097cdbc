// Command iocloud-mcp serves io.net's IO Cloud to AI assistants over the
// Model Context Protocol: list_hardware, list_available_replicas and a
// confirmation-guarded create_api_key, over stdio (the default) or streamable
// HTTP.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/iocloud-chatops/iocloud/cmd/internal/cli"
	"github.com/sethvargo/go-envconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], envconfig.OsLookuper(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.Exit(os.Stderr, binaryName, err))
}
