// Command iocloud-mcp serves io.net's IO Cloud to AI assistants over the
// Model Context Protocol: list_hardware, list_available_replicas and a
// confirmation-guarded create_api_key, over stdio (the default) or streamable
// HTTP.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sethvargo/go-envconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], envconfig.OsLookuper(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, binaryName+": "+oneLine(err))
		os.Exit(1)
	}
}

// oneLine keeps a start-up failure to the one line DESIGN promises.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
