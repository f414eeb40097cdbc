package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// describe lists the instructions a local rehearsal of the image needs (and
// the EXPOSE and LABEL lines its tests check), one per line as "<stage>.<instruction> <value>", so scripts/dockercheck.sh reads
// the user, entrypoint and environment from the Dockerfile itself instead of
// repeating them. The last stage is always called "final"; others keep their
// AS name (or "stageN").
//
//	build.env GOTOOLCHAIN=go1.27.3
//	build.run ./scripts/build-release.sh /out
//	final.copy build:/out/ /usr/local/bin/
//	final.env IOCLOUD_MCP_ADDR=0.0.0.0:8080
//	final.expose 8080
//	final.label org.opencontainers.image.title=iocloud
//	final.user 65532:65532
//	final.entrypoint /usr/local/bin/iocloud-mcp
func describe(dt []byte) ([]string, error) {
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil, fmt.Errorf("parse Dockerfile: %w", err)
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("parse Dockerfile instructions: %w", err)
	}

	var lines []string
	for i, st := range stages {
		name := st.Name
		switch {
		case i == len(stages)-1:
			name = "final"
		case name == "":
			name = "stage" + strconv.Itoa(i)
		}
		lines = append(lines, name+".from "+st.BaseName)
		for _, cmd := range st.Commands {
			lines = append(lines, describeCommand(name, cmd)...)
		}
	}
	return lines, nil
}

func describeCommand(stage string, cmd instructions.Command) []string {
	switch c := cmd.(type) {
	case *instructions.EnvCommand:
		out := make([]string, 0, len(c.Env))
		for _, kv := range c.Env {
			out = append(out, stage+".env "+kv.Key+"="+kv.Value)
		}
		return out
	case *instructions.ExposeCommand:
		out := make([]string, 0, len(c.Ports))
		for _, port := range c.Ports {
			out = append(out, stage+".expose "+port)
		}
		return out
	case *instructions.LabelCommand:
		out := make([]string, 0, len(c.Labels))
		for _, kv := range c.Labels {
			out = append(out, stage+".label "+kv.Key+"="+kv.Value)
		}
		return out
	case *instructions.UserCommand:
		return []string{stage + ".user " + c.User}
	case *instructions.EntrypointCommand:
		return []string{stage + ".entrypoint " + shellOrExec(c.ShellDependantCmdLine)}
	case *instructions.RunCommand:
		return []string{stage + ".run " + shellOrExec(c.ShellDependantCmdLine)}
	case *instructions.CopyCommand:
		src := strings.Join(c.SourcePaths, " ")
		if c.From != "" {
			src = c.From + ":" + src
		}
		return []string{stage + ".copy " + src + " " + c.DestPath}
	default:
		return nil
	}
}

// shellOrExec renders a command line; the shell form is marked "sh -c", which
// a rehearsal on a shell-less distroless image must treat as a failure.
func shellOrExec(c instructions.ShellDependantCmdLine) string {
	joined := strings.Join(c.CmdLine, " ")
	if c.PrependShell {
		return "sh -c " + strconv.Quote(joined)
	}
	return joined
}
