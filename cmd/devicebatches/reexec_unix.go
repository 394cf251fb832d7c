//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// execProgram replaces this process with the program at path (execve):
// the full build then owns the process id, the stdio, the signals and
// the exit code, exactly as if it had been started itself. It returns
// only on failure.
func execProgram(path string, args []string) error {
	argv := append([]string{os.Args[0]}, args...)
	err := syscall.Exec(path, argv, reexecEnv())
	return fmt.Errorf("%w %s: %v", errNoExec, path, err)
}
