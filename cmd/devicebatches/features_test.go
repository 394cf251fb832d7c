package main

import (
	"io"
	"testing"
)

// TestEveryServiceCommandIsMarked: a lean build hands --sandbox and
// --validate-contract to the full build only for commands marked with
// markService; an unmarked new command would reach the sandbox without it
// and fail with an internal error. Every top-level command is either marked
// or named here as one that never calls Partner Center.
func TestEveryServiceCommandIsMarked(t *testing.T) {
	notService := map[string]bool{"sandbox": true, "completion": true, "help": true}
	root := newApp(streams{out: io.Discard, err: io.Discard}, envFrom(nil)).rootCommand()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		marked := c.Annotations[annService] != ""
		switch {
		case notService[c.Name()] && marked:
			t.Errorf("%s is marked as a service command but is listed as not one", c.Name())
		case !notService[c.Name()] && !marked:
			t.Errorf("%s is not marked: add it to the root through markService(...) in root.go, or to notService here if it never calls Partner Center", c.Name())
		}
	}
}
