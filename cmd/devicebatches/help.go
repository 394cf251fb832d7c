package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// ownFlagsOnly makes cmd's help list only its own flags. The sandbox
// command serves Partner Center's contract; the client's flags (--auth,
// --base-url, --timeout, ...) mean nothing to it, and listing them there
// suggests they do.
func ownFlagsOnly(cmd *cobra.Command) {
	t := cmd.UsageTemplate()
	start := strings.Index(t, "{{if .HasAvailableInheritedFlags}}")
	if start < 0 {
		return
	}
	end := strings.Index(t[start:], "{{end}}")
	if end < 0 {
		return
	}
	cmd.SetUsageTemplate(t[:start] + t[start+end+len("{{end}}"):])
}
