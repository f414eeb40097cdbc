// Package cli is what both binaries share at the edge of the process: the
// exit codes, the one-line start-up error, the warning about variables meant
// for the other binary, and listen errors that say what to do. The codes are
// documented in README.md ("Exit codes"); both mains end in Exit, so the same
// mistake gives the same code whichever binary made it.
package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/iocloud-chatops/iocloud/config"
)

// Exit codes of iocloud-mcp and iocloud-slackbot.
const (
	// ExitOK: done, or stopped by SIGINT/SIGTERM after a clean shutdown.
	ExitOK = 0
	// ExitFailure: the configuration was valid but the program could not
	// start or keep serving (a port in use, an audit file that cannot be
	// opened, a listener that failed).
	ExitFailure = 1
	// ExitUsage: a command-line mistake (an unknown flag, a stray
	// argument); --help shows the flags.
	ExitUsage = 2
	// ExitConfig: an environment variable (or the flag that overrides it)
	// is missing or invalid; the message names it.
	ExitConfig = 3
)

// UsageError is a command-line mistake (ExitUsage).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() + " (see --help)" }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage makes a UsageError from a message.
func Usage(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode maps what run returned to the process's exit status.
func ExitCode(err error) int {
	var ue *UsageError
	var ce *config.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ce):
		return ExitConfig
	}
	return ExitFailure
}

// Exit writes a failure as the one line DESIGN.md promises ("binary:
// message", whitespace folded) to w and returns the exit status to pass to
// os.Exit.
func Exit(w io.Writer, binary string, err error) int {
	if err != nil {
		_, _ = fmt.Fprintln(w, binary+": "+strings.Join(strings.Fields(err.Error()), " "))
	}
	return ExitCode(err)
}

// ListenError explains why the listener for addr (set by variable, or by
// flag when not "") could not be opened, with the way out: a busy port
// names another one to pick, a privileged port a higher one.
func ListenError(variable, flag, addr string, err error) error {
	host, port, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return fmt.Errorf("%s: cannot listen on %s: %w", variable, addr, err)
	}
	other := net.JoinHostPort(host, "8081")
	if n, convErr := strconv.Atoi(port); convErr == nil && n > 0 && n < 65535 {
		other = net.JoinHostPort(host, strconv.Itoa(n+1))
	}
	how := variable + "=" + other
	if flag != "" {
		how += " or " + flag + " " + other
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s: %s is already in use, probably by another server (stop that one, or pick another port: %s; port 0 lets the system choose a free one)",
			variable, addr, how)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%s: not allowed to listen on %s (ports below 1024 need privileges: pick a higher port, e.g. %s)",
			variable, addr, how)
	}
	return fmt.Errorf("%s: cannot listen on %s: %w", variable, addr, err)
}
