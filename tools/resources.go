package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/iocloud-chatops/iocloud/iocloud"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The resources: the same data as list_hardware and list_available_replicas,
// as documents a client can attach to a conversation or subscribe to.
const (
	hardwareURI          = "iocloud://hardware"
	replicasURITemplate  = "iocloud://replicas/{hardware}"
	replicasURIPrefix    = "iocloud://replicas/"
	replicasTemplateArg  = "hardware"
	resourceMIMEType     = "application/json"
	maxHardwareURISuffix = 100 // as list_available_replicas' hardware argument
)

// errNotOurs marks a URI this server does not serve.
var errNotOurs = errors.New("not a resource of this server")

// resourceReader reads the documents behind the resources. Both the read
// handlers and the subscription poller use it, so a notification always
// means "a read now gives something different".
type resourceReader struct{ cfg Config }

// read returns the document for uri: a hardwareOut or a replicasOut, the
// very shapes (and JSON) of the two read tools' structuredContent.
func (r resourceReader) read(ctx context.Context, uri string) (any, error) {
	if uri == hardwareURI {
		list, err := r.cfg.Catalog.Hardware(ctx)
		if err != nil {
			return nil, err
		}
		return hardwareOutFrom(list, r.cfg), nil
	}
	hw, err := replicasURIHardware(uri)
	if err != nil {
		return nil, err
	}
	report, err := r.cfg.Catalog.FindReplicas(ctx, iocloud.ReplicaSearch{Hardware: hw, GPUsPerContainer: 1})
	if err != nil {
		return nil, err
	}
	return replicasOutFrom(report, r.cfg), nil
}

// fingerprint is a document without its fetched_at: a fresh fetch of the
// same data is not a change, only different data is.
func fingerprint(doc any) (string, error) {
	switch d := doc.(type) {
	case hardwareOut:
		b, err := json.Marshal(d.Hardware)
		return string(b), err
	case replicasOut:
		b, err := json.Marshal(d.Hardware)
		return string(b), err
	default:
		return "", fmt.Errorf("fingerprint: unexpected document %T", doc)
	}
}

// replicasURIHardware is the {hardware} of iocloud://replicas/{hardware},
// percent-decoded (names have spaces: iocloud://replicas/H100%2080GB%20HBM3).
func replicasURIHardware(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, replicasURIPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q; this server serves %s and %s", errNotOurs, uri, hardwareURI, replicasURITemplate)
	}
	hw, err := url.PathUnescape(rest)
	if err != nil || strings.TrimSpace(hw) == "" || strings.Contains(hw, "/") || len(hw) > maxHardwareURISuffix {
		return "", fmt.Errorf("%w: %q; use %s with a hardware id or name from %s, e.g. %s7 or %sA100%%2080GB%%20SXM",
			errNotOurs, uri, replicasURITemplate, hardwareURI, replicasURIPrefix, replicasURIPrefix)
	}
	return strings.TrimSpace(hw), nil
}

// servesURI says whether uri names one of this server's resources (a
// syntactically valid one: whether the hardware exists is io.net's answer).
func servesURI(uri string) bool {
	if uri == hardwareURI {
		return true
	}
	_, err := replicasURIHardware(uri)
	return err == nil
}

func hardwareResource(r resourceReader) server.ServerResource {
	res := mcp.NewResource(hardwareURI, "hardware",
		mcp.WithResourceTitle("GPU hardware on io.net"),
		mcp.WithResourceDescription("Every GPU type io.net offers for containers, with free GPUs now "+
			"(the document list_hardware returns). Subscribe to hear when free GPUs change."),
		mcp.WithMIMEType(resourceMIMEType),
	)
	return server.ServerResource{Resource: res, Handler: r.handler}
}

func replicasTemplate(r resourceReader) server.ServerResourceTemplate {
	tmpl := mcp.NewResourceTemplate(replicasURITemplate, "replicas",
		mcp.WithTemplateTitle("Where one GPU type fits"),
		mcp.WithTemplateDescription("For one GPU type (id or name, percent-encoded: iocloud://replicas/7 or "+
			"iocloud://replicas/H100%2080GB%20HBM3), every location with room for 1-GPU containers, most free first "+
			"(the document list_available_replicas returns). Subscribe to hear when that changes."),
		mcp.WithTemplateMIMEType(resourceMIMEType),
	)
	return server.ServerResourceTemplate{Template: tmpl, Handler: server.ResourceTemplateHandlerFunc(r.handler)}
}

// handler serves resources/read. Failures carry the core's advice (what to
// do), which never holds a secret.
func (r resourceReader) handler(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	uri := req.Params.URI
	doc, err := r.read(ctx, uri)
	if errors.Is(err, errNotOurs) {
		return nil, err
	}
	if err != nil {
		return nil, errors.New(r.cfg.Hints.Advice(err))
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", uri, err)
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: resourceMIMEType, Text: string(b)}}, nil
}
