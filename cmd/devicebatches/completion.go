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
	// The scripts' commands write to the streams set here, when they are
	// made: the app's, as every other command's output.
	root.SetOut(a.io.out)
	root.SetErr(a.io.err)
	refuseUnknownShells(root)
}

// completionShells are the shells cobra's `completion` command writes for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// refuseUnknownShells makes `completion` without a shell, or with one it
// does not know, a usage error. Cobra's command prints its help to stdout
// and exits 0 there, so `devicebatches completion zssh > _devicebatches`
// would install the help text as a completion script, "successfully".
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			shells := strings.Join(completionShells, ", ")
			if len(args) == 0 {
				return usagef("completion needs a shell: one of %s, as in 'devicebatches completion bash'", shells)
			}
			return usagef("completion: unknown shell %q: use one of %s", args[0], shells)
		}
	}
}
