//go:build !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// execProgram runs the program at path as a child with this process's
// stdio and returns its exit code as a *childExit (Windows has no exec):
// a console's Ctrl-C reaches the child directly, and this process only
// waits for it.
func execProgram(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = reexecEnv()
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return &childExit{code: 0}
	case errors.As(err, &ee):
		return &childExit{code: max(ee.ExitCode(), exitFailure)}
	}
	return fmt.Errorf("%w %s: %v", errNoExec, path, err)
}
