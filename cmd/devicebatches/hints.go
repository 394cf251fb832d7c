package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// The library's errors name library operations (ListDevices), never this
// command's flags or commands: what to do about them on the command line
// is added here, at the end of the same line.

// hinted is err with what to do next on the command line.
type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() + "; " + e.hint }
func (e *hinted) Unwrap() error { return e.err }

// cliHints adds the command line's advice to a library error any command
// may return; other errors pass unchanged. format is the command's -o
// ("" for a command without one): a property the model cannot hold stops
// only the typed formats, so only they are told which formats print it.
func cliHints(err error, format string) error {
	var su *wrapper.UserSignInRequiredError
	var pe *wrapper.PropertyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &su):
		return &hinted{err, "if the token is app-only, sign in as a user with --auth device-code, --auth browser or --auth cli"}
	case errors.As(err, &pe) && (format == "table" || format == "csv"):
		return &hinted{err, "-o json and -o jsonl print the items as sent"}
	}
	return err
}

// acceptedHint adds to the error of an upload (batch not empty) or a
// profile assignment (batch empty) that may have been carried out (the
// request was accepted but its status link cannot be followed, or no
// answer came after it was sent) the command that shows its outcome.
func acceptedHint(err error, customer, batch string) error {
	var de *wrapper.DecodeError
	if !errors.As(err, &de) && !errors.Is(err, wrapper.ErrMaybeCarriedOut) {
		return err
	}
	if batch == "" {
		return &hinted{err, fmt.Sprintf("check the devices' profiles (their policies) with: devicebatches devices --customer %s --batch BATCH -o json", customer)}
	}
	return &hinted{err, fmt.Sprintf("see the batch's devices with: devicebatches devices --customer %s --batch %s", customer, strconv.Quote(batch))}
}

// outputFormat is cmd's -o once its flags are parsed (and --jq has set
// it), "" for a command without one: what cliHints is told.
func outputFormat(cmd *cobra.Command) string {
	if o := cmd.Flags().Lookup("output"); o != nil {
		return o.Value.String()
	}
	return ""
}
