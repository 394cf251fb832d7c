package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// outputFormats are every -o value a command may write.
var outputFormats = []string{"table", "json", "jsonl", "csv", "text"}

// registerCompletions makes shells complete flag values, not file names:
// -o offers the formats its command names in the flag's help, --auth the
// credential kinds. Cobra's own `completion bash|zsh|fish|powershell`
// command prints the scripts.
func (a *app) registerCompletions(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("output"); f != nil {
			var formats []string
			for _, w := range strings.FieldsFunc(f.Usage, func(r rune) bool { return !('a' <= r && r <= 'z') }) {
				if slices.Contains(outputFormats, w) && !slices.Contains(formats, w) {
					formats = append(formats, w)
				}
			}
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	_ = root.RegisterFlagCompletionFunc("auth", cobra.FixedCompletions(authMethods, cobra.ShellCompDirectiveNoFileComp))
}
