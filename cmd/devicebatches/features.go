package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
)

// The CLI comes in two builds of this one package. The lean build (the
// default) links neither the built-in sandbox nor contract validation:
// their libraries (kin-openapi and a JSON-schema library) cost several
// milliseconds of package initialisation on every run, more than a small
// call itself. The full build (-tags full, full.go) links both. A lean
// build given a command line that needs them hands it, unchanged, to the
// full build (reexec.go) before the command does anything, so a user sees
// the same output, exit code and signals from either.

// annService marks the commands that call Partner Center (or, with
// --sandbox, the sandbox), to which --sandbox and --validate-contract apply.
const annService = "devicebatches/service"

// markService marks cmds as service commands.
func markService(cmds ...*cobra.Command) []*cobra.Command {
	for _, c := range cmds {
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[annService] = "true"
	}
	return cmds
}

// fullReason names what in the command line needs the full build, or is
// empty when the lean build can run it.
func (a *app) fullReason(cmd *cobra.Command) string {
	if cmd.Name() == "sandbox" && cmd.Parent() == cmd.Root() {
		return "the sandbox command"
	}
	if cmd.Annotations[annService] == "" {
		return ""
	}
	if a.flags.sandbox {
		return "--sandbox"
	}
	// A wrong value is refused by the lean build itself, as by the full.
	if mode, err := a.contractMode(); err == nil && mode != contractOff {
		if a.contract.mode != "" {
			return "--validate-contract"
		}
		return "PARTNER_CENTER_VALIDATE_CONTRACT"
	}
	if cmd.Name() == "doctor" {
		return "doctor's contract check"
	}
	return ""
}

// handToFull runs in the root's PersistentPreRunE, after the flags are
// parsed and before the command reads stdin, prompts, signs in or prints:
// in the lean build, a command line that needs the full build is executed
// by it instead (on Unix this process becomes it and never returns here).
func (a *app) handToFull(cmd *cobra.Command) error {
	if a.full != nil {
		return nil
	}
	reason := a.fullReason(cmd)
	if reason == "" {
		return nil
	}
	path, err := a.findFull(reason)
	if err != nil && reason == "doctor's contract check" {
		// doctor diagnoses sign-in and access; without a full build it
		// still does, and its optional contract check says why it was
		// not run.
		a.contract.unavailable = err.Error()
		return nil
	}
	if err != nil {
		return err
	}
	return a.execFull(path, a.args)
}

// fullFeatures returns the full build's features. The lean build hands
// every command line that uses them to the full build first (handToFull),
// so reaching here without them is a bug.
func (a *app) fullFeatures() (fullhook.Features, error) {
	if a.full == nil {
		return nil, errors.New("internal error: the lean build reached the sandbox or contract validation without handing the command to the full build")
	}
	return a.full, nil
}
