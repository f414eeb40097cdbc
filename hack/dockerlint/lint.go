package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
)

// Finding is one BuildKit lint warning (or the build error that stopped the
// check), with the Dockerfile line it points at (0 when unknown).
type Finding struct {
	Rule   string
	Line   int
	Detail string
	URL    string
}

func (f Finding) String() string {
	s := fmt.Sprintf("%d: %s: %s", f.Line, f.Rule, f.Detail)
	if f.URL != "" {
		s += " (" + f.URL + ")"
	}
	return s
}

// errSkippedRules is returned for a Dockerfile whose `# check=` directive
// turns rules off: a gate that the checked file can disable is no gate.
var errSkippedRules = errors.New("the Dockerfile's `# check=` directive skips rules; remove the skip instead of silencing the check")

// lintDockerfile runs BuildKit's Dockerfile rules (those behind
// `docker build --check`) over dt without a Docker engine and without any
// network: base images are "resolved" by offlineResolver.
func lintDockerfile(ctx context.Context, filename string, dt []byte) ([]Finding, error) {
	directive, _, _, _ := parser.ParseDirective("check", dt)
	checkCfg, err := linter.ParseLintOptions(directive)
	if err != nil {
		return nil, fmt.Errorf("parse the `# check=` directive: %w", err)
	}
	if checkCfg.SkipAll || len(checkCfg.SkipRules) > 0 {
		return nil, errSkippedRules
	}

	sm := llb.NewSourceMap(nil, filename, "Dockerfile", dt)
	sm.Definition = &llb.Definition{} // DockerfileLint dereferences it
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		SourceMap: sm,
		// Never nil: nil falls back to a resolver that contacts the registries.
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", filename, err)
	}

	var findings []Finding
	for _, w := range res.Warnings {
		f := Finding{Rule: w.RuleName, Detail: w.Detail, URL: w.URL}
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			f.Line = int(w.Location.Ranges[0].Start.Line)
		}
		findings = append(findings, f)
	}
	if res.Error != nil {
		f := Finding{Rule: "BuildError", Detail: res.Error.Message}
		if len(res.Error.Location.Ranges) > 0 {
			f.Line = int(res.Error.Location.Ranges[0].Start.Line)
		}
		findings = append(findings, f)
	}
	return findings, nil
}

// offlineResolver answers every base-image lookup with a minimal Linux image
// config for the requested platform, so linting never touches a registry.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	os, arch := "linux", runtime.GOARCH
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		os, arch = opt.ImageOpt.Platform.OS, opt.ImageOpt.Platform.Architecture
	}
	cfg := map[string]any{
		"os":           os,
		"architecture": arch,
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		// A non-empty rootfs, so the base is not treated as scratch.
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest.FromString(strings.ToLower(ref)).String()}},
	}
	dt, err := json.Marshal(cfg)
	if err != nil {
		return "", "", nil, fmt.Errorf("offline image config for %s: %w", ref, err)
	}
	return ref, "", dt, nil
}
