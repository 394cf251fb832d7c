//go:build unix

package sandbox

import (
	"os"
	"syscall"
	"testing"
)

// mkfifo makes a FIFO at path with a writer that closes at once, so code
// that opens it reads an empty file rather than blocking the test forever.
func mkfifo(t *testing.T, path string) error {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
	}()
	t.Cleanup(func() {
		// A reader that does not block releases the writer if nothing
		// else opened the FIFO.
		if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer r.Close()
		}
		<-done
	})
	return nil
}
