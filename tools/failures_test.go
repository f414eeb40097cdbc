package tools_test

import (
	"testing"
	"time"

	"github.com/iocloud-chatops/iocloud/iocloud/sandbox"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each io.net failure becomes an isError result that says what to do, and
// the server is fine afterwards: the next call in the same process works.
func TestIONetFailuresBecomeGuidance(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		fault sandbox.Fault
		opts  []envOption
		want  string
	}{
		"401 from io.net": {fault: sandbox.Fault{Status: 401, Times: 1}, want: "IOCLOUD_API_KEY"},
		"422 names the field": {
			fault: sandbox.Fault{Status: 422, Times: 1,
				Body: `{"detail":[{"loc":["query","hardware_qty"],"msg":"Input should be greater than 0","type":"greater_than"}]}`},
			want: "hardware_qty",
		},
		"429 says how long to wait": {fault: sandbox.Fault{Status: 429, RetryAfter: "7", Times: 1}, want: "wait 7 s"},
		"500":                       {fault: sandbox.Fault{Status: 500, Times: 1}, want: "try again"},
		"timeout": {
			fault: sandbox.Fault{Latency: 2 * time.Second, Times: 1},
			opts:  []envOption{withTimeout(300 * time.Millisecond)},
			want:  "timed out",
		},
		"malformed body": {fault: sandbox.Fault{Malformed: true, Times: 1}, want: "io.net"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts...)
			c := connect(t, e.srv)
			for _, step := range []struct {
				tool  string
				route sandbox.Route
				args  map[string]any
			}{
				{"list_hardware", sandbox.RouteHardware, nil},
				{"list_available_replicas", sandbox.RouteReplicas, map[string]any{"hardware": "7"}},
			} {
				e.sb.SetFault(step.route, tc.fault)

				failed := call(t, c, step.tool, step.args)
				assert.True(t, failed.IsError, "%s: %s", step.tool, textOf(failed))
				assert.Contains(t, textOf(failed), tc.want, step.tool)

				next := call(t, c, step.tool, step.args)
				require.False(t, next.IsError, "%s after the fault: %s", step.tool, textOf(next))
				assert.Equal(t, true, structuredOf(t, next)["sandbox"])
			}
		})
	}
}

func TestWrongAPIKeySaysCheckIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withAPIKey("not-the-key"))
	c := connect(t, e.srv)

	res := call(t, c, "list_hardware", nil)

	assert.True(t, res.IsError)
	assert.Contains(t, textOf(res), "IOCLOUD_API_KEY")
	assert.NotContains(t, textOf(res), "not-the-key")
}
