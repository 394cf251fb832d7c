package wrapper

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestThrottlePauseErrorIsDeadline: a pause refused for want of time before
// the call's deadline is a context.DeadlineExceeded to errors.Is, as the
// rate limiter's refusal is; one over the cap on one wait is not.
func TestThrottlePauseErrorIsDeadline(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  *ThrottlePauseError
		want bool
	}{
		{"within the cap: the deadline refused it", &ThrottlePauseError{RetryAfter: 30 * time.Second, MaxPause: time.Minute}, true},
		{"over the cap", &ThrottlePauseError{RetryAfter: time.Hour, MaxPause: time.Minute}, false},
		{"a later call, the rest within the cap", &ThrottlePauseError{RetryAfter: time.Hour, MaxPause: time.Minute, left: 20 * time.Second}, true},
	} {
		if got := errors.Is(tt.err, context.DeadlineExceeded); got != tt.want {
			t.Errorf("%s: errors.Is(err, context.DeadlineExceeded) = %v, want %v (%v)", tt.name, got, tt.want, tt.err)
		}
		if errors.Is(tt.err, context.Canceled) {
			t.Errorf("%s: matches context.Canceled", tt.name)
		}
	}
}
