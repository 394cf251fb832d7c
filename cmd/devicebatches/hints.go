package main

import (
	"errors"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// The library's errors name library operations, never this command's
// flags or commands: what to do about them on the command line is added
// here, at the end of the same line.

// hinted is err with what to do next on the command line.
type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() + "; " + e.hint }
func (e *hinted) Unwrap() error { return e.err }

// cliHints adds the command line's advice to a library error any command
// may return; other errors pass unchanged.
func cliHints(err error) error {
	var pe *wrapper.PropertyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return &hinted{err, "-o json and -o jsonl print the items as sent"}
	}
	return err
}
