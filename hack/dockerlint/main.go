// Command dockerlint checks iocloud's Dockerfile without a Docker engine.
//
//	dockerlint lint DOCKERFILE      BuildKit's own rules (those behind `docker build --check`);
//	                                exit 1 on any warning, printing each rule name
//	dockerlint describe DOCKERFILE  print the ENV/USER/ENTRYPOINT/RUN/COPY lines a rehearsal needs
//	dockerlint context SRC DST      copy SRC into DST as `docker build SRC` sends it (.dockerignore)
//
// It lives in its own module so BuildKit's many dependencies stay out of the
// product's go.mod. It never contacts a registry: base images are answered by
// an offline stub.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage:
  dockerlint lint DOCKERFILE
  dockerlint describe DOCKERFILE
  dockerlint context SRC DST`

// errFindings means the lint ran and found something; exit status 1.
var errFindings = errors.New("lint found problems")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errFindings):
		fmt.Fprintln(os.Stderr, "dockerlint:", err)
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "dockerlint:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "lint" && len(rest) == 1:
		return runLint(ctx, rest[0], stdout)
	case cmd == "describe" && len(rest) == 1:
		dt, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		lines, err := describe(dt)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		return nil
	case cmd == "context" && len(rest) == 2:
		n, err := copyContext(rest[0], rest[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "copied %d files of the build context into %s\n", n, rest[1])
		return nil
	default:
		return fmt.Errorf("unknown command or wrong arguments: %q\n%s", args, usage)
	}
}

func runLint(ctx context.Context, path string, stdout io.Writer) error {
	dt, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	findings, err := lintDockerfile(ctx, path, dt)
	if err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Fprintf(stdout, "%s:%s\n", path, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%w: %d in %s", errFindings, len(findings), path)
	}
	fmt.Fprintf(stdout, "%s: no BuildKit lint warnings\n", path)
	return nil
}
