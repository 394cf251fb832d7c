//go:build !unix

package sandbox

import (
	"errors"
	"testing"
)

func mkfifo(*testing.T, string) error { return errors.New("FIFOs are a unix feature") }
