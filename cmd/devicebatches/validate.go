package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// Exit codes beyond 0, 1 and 2 (root.go). A shell reports a process killed
// by signal N as 128+N: the CLI exits the same way when it stops itself on
// SIGINT or SIGTERM, so scripts see one convention.
const (
	exitInterrupted = 130 // SIGINT (Ctrl-C)
	exitTerminated  = 143 // SIGTERM
	// exitSoftware (EX_SOFTWARE, sysexits.h) is a crash: a bug, never the
	// user's input. Go's runtime exits 2 on an unrecovered panic, which
	// would read as a usage error; main recovers and exits 70 instead.
	// (Out of memory kills the process with SIGKILL: 137.)
	exitSoftware = 70
)

// minRate is the smallest --rate: one request per 11.6 days. Smaller
// values overflow the limiter's wait (a time.Duration) and would silently
// mean "no limit".
const minRate = 1e-6

// checkRate validates --rate when it was given: a positive, finite number
// of requests per second, at least minRate. Left out, there is no limit.
func checkRate(rate float64, given bool) error {
	if !given {
		return nil
	}
	switch {
	case math.IsNaN(rate) || math.IsInf(rate, 0):
		return usagef("--rate must be a finite number of requests per second, like 5 or 0.5, not %v; leave --rate out to learn the service's limit", rate)
	case rate <= 0:
		return usagef("--rate must be a positive number of requests per second, like 5 or 0.5, not %v; leave --rate out to learn the service's limit", rate)
	case rate < minRate:
		return usagef("--rate %v is too small: use at least %v requests per second", rate, minRate)
	}
	return nil
}

// noArgs refuses positional arguments with a hint: the usual cause is an
// unquoted value with a space, such as --batch Test batch.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usagef("unexpected argument %s: %s takes only flags; quote values with spaces, like --batch \"Test batch\"",
		strconv.Quote(args[0]), cmd.CommandPath())
}

// classify makes cobra's own input errors usage errors (exit 2): cobra
// reports an unknown command as a plain error.
func classify(err error) error {
	var ue *usageError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	msg := err.Error()
	for _, p := range []string{"unknown command ", "unknown flag", "unknown shorthand flag", "invalid argument ", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return &usageError{msg: msg}
		}
	}
	return err
}

// howToAuthenticate lists every way to give the CLI credentials.
const howToAuthenticate = "set PARTNER_CENTER_TOKEN to an access token for " + wrapper.DefaultScope +
	"; or choose --auth env (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)" +
	", --auth cli (after 'az login --tenant <partner tenant>'), --auth device-code or --auth browser (with --tenant and --client-id)" +
	", or --auth managed-identity (on Azure); PARTNER_CENTER_AUTH sets --auth. To try the commands without any, add --sandbox"

// missingCredentials turns the implicit default credential's failure to
// find any credential at all (every source unavailable, none refused us)
// into a usage error that lists every way to supply one. A credential that
// was found and refused stays an authentication failure (exit 1).
//
// Managed identity is the one source that cannot tell "none here" by
// itself: anything may answer its address, and an egress proxy refusing
// 169.254.169.254 (403 and a page of its own) makes the SDK report a
// failed sign-in. Only the identity endpoint's own refusal (its JSON
// error) counts as one; anything else there means no managed identity.
func (a *app) missingCredentials(err error) error {
	var ae *wrapper.AuthenticationError
	if !a.implicitDefault || !errors.As(err, &ae) {
		return err
	}
	var refused *azidentity.AuthenticationFailedError
	if !errors.As(err, &refused) {
		return usagef("no credentials found: %s", howToAuthenticate)
	}
	if why := notManagedIdentity(refused); why != "" {
		return usagef("no credentials found (%s): %s", why, howToAuthenticate)
	}
	return err
}

// imdsHost is the managed identity endpoint's address on an Azure VM.
const imdsHost = "169.254.169.254"

// notManagedIdentity says, in a few words, why a failure the SDK reports
// from managed identity's endpoint is not that endpoint's answer: it came
// from IMDS's address without the identity platform's JSON error. It
// returns "" for any other failure.
func notManagedIdentity(af *azidentity.AuthenticationFailedError) string {
	resp := af.RawResponse
	if resp == nil || resp.Request == nil || resp.Request.URL == nil || resp.Request.URL.Hostname() != imdsHost {
		return ""
	}
	if code, what := identityError(af); code != "" || what != "" {
		return "" // the endpoint's own refusal
	}
	body, _ := peekBody(resp)
	const limit = 80 // a reason, not the page
	text := strings.TrimSpace(string(body))
	if len(text) > limit {
		text = text[:limit] + "..."
	}
	why := fmt.Sprintf("managed identity: HTTP %d from %s is not Azure's instance metadata service", resp.StatusCode, imdsHost)
	if text != "" {
		why += ": " + strconv.Quote(oneLine(text))
	}
	return why
}

// fmtSignal says how the command was interrupted.
func interrupted(code int) string {
	name := "SIGINT (Ctrl-C)"
	if code == exitTerminated {
		name = "SIGTERM"
	}
	return fmt.Sprintf("interrupted by %s: stopped before finishing", name)
}

// checkCustomerFlag checks --customer of a single-customer command: given,
// and a GUID. Both are usage errors (exit 2) before any request.
func checkCustomerFlag(id string) error {
	if id == "" {
		return usagef("--customer is required: the customer's tenant id, a GUID")
	}
	return wrapper.CheckCustomerID(id)
}
