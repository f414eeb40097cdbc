package tools_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/iocloud-chatops/iocloud/tools"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func complete(c *client.Client, ref any, arg, value string, given map[string]string) (*mcp.CompleteResult, error) {
	var req mcp.CompleteRequest
	req.Params.Ref = ref
	req.Params.Argument.Name = arg
	req.Params.Argument.Value = value
	req.Params.Context.Arguments = given
	return c.Complete(context.Background(), req)
}

var (
	findGPUsRef = mcp.PromptReference{Type: "ref/prompt", Name: "find-gpus"}
	replicasRef = mcp.ResourceReference{Type: "ref/resource", URI: "iocloud://replicas/{hardware}"}
)

func TestCompletionsComeFromLiveData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	values := func(ref any, arg, value string, ctx map[string]string) []string {
		t.Helper()
		res, err := complete(c, ref, arg, value, ctx)
		require.NoError(t, err)
		return res.Completion.Values
	}

	// Hardware names, case-insensitive prefix, for the template and the prompt.
	for _, ref := range []any{replicasRef, findGPUsRef} {
		assert.Equal(t, []string{"H100 80GB HBM3", "H100 80GB PCIe"}, values(ref, "hardware", "h10", nil))
		assert.Equal(t, []string{"H200 141GB HBM3e"}, values(ref, "hardware", "H2", nil))
		assert.Len(t, values(ref, "hardware", "", nil), 6)
		assert.Empty(t, values(ref, "hardware", "zzz", nil))
	}

	// Countries: ISO codes and names of places with room now. Japan has no
	// free GPU, so it is not offered until io.net has some there.
	assert.Equal(t, []string{"CA", "Canada"}, values(findGPUsRef, "country", "c", nil))
	assert.Empty(t, values(findGPUsRef, "country", "j", nil))
	require.NoError(t, e.sb.SetFreeGPUs(41, 20, 4)) // an RTX 4090 frees up in Japan
	assert.Equal(t, []string{"Japan", "JP"}, values(findGPUsRef, "country", "J", nil))
	// With the hardware already chosen, only where that type has room.
	assert.Equal(t, []string{"CA", "Canada", "United States", "US"},
		values(findGPUsRef, "country", "", map[string]string{"hardware": "H200 141GB HBM3e"}))

	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "8"}, values(findGPUsRef, "gpus", "", nil))

	// Live means an io.net failure is a failure, with its advice.
	e.sb.SetFault(sandbox.RouteHardware, sandbox.Fault{Status: 401})
	_, err := complete(c, replicasRef, "hardware", "h", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "IOCLOUD_API_KEY")
}

func TestCompletionOfUnknownReferencesSaysWhatExists(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := connect(t, e.srv)
	for _, tc := range []struct {
		ref  any
		arg  string
		want string
	}{
		{mcp.PromptReference{Type: "ref/prompt", Name: "test_prompt_with_arguments"}, "arg1", "this server's prompts are find-gpus and rotate-key"},
		{findGPUsRef, "region", "it takes hardware, gpus and country"},
		{mcp.ResourceReference{Type: "ref/resource", URI: "iocloud://hardware"}, "hardware", "completes {hardware} of iocloud://replicas/{hardware}"},
	} {
		_, err := complete(c, tc.ref, tc.arg, "", nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestCompletionsStopAtTheProtocolLimit(t *testing.T) {
	t.Parallel()
	many := make([]string, 0, 150)
	for i := range 150 {
		many = append(many, fmt.Sprintf("GPU %03d", i))
	}
	got := tools.Matching(many, "gpu")
	assert.Len(t, got.Values, 100)
	assert.Equal(t, 150, got.Total)
	assert.True(t, got.HasMore)
	assert.Equal(t, "GPU 000", got.Values[0])

	got = tools.Matching(append(many, "GPU 001", "gpu 001"), "GPU 00")
	assert.Equal(t, []string{"GPU 000", "GPU 001", "gpu 001", "GPU 002", "GPU 003", "GPU 004", "GPU 005", "GPU 006", "GPU 007", "GPU 008", "GPU 009"}, got.Values, "sorted, without duplicates")
	assert.False(t, got.HasMore)
}
