package cli

import (
	"context"
	"log/slog"
	"strings"

	"github.com/iocloud-chatops/iocloud/config"
	"github.com/sethvargo/go-envconfig"
)

// WarnForeign logs one warning naming the variables set in env that only
// the other binary reads (self and other are *config.MCP or *config.Slack).
// They are not validated here: this binary ignores them, and says so,
// instead of letting someone believe a setting took effect.
func WarnForeign(ctx context.Context, logger *slog.Logger, env envconfig.Lookuper, self, other any, otherBinary string) {
	names := config.Foreign(env, self, other)
	if len(names) == 0 {
		return
	}
	logger.WarnContext(ctx, "ignoring variables that only "+otherBinary+" reads (not checked here)",
		"variables", strings.Join(names, ","))
}
