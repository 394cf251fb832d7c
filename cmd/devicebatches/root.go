package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the service, the network or authentication failed
	exitUsage   = 2 // the input is wrong: fix the command line or a file
)

type streams struct {
	in       io.Reader
	out, err io.Writer
}

// usageError is input the user must fix; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// globalFlags are shared by every command that calls the service.
type globalFlags struct {
	baseURL       string
	locale        string
	correlationID string
	debug         bool
	timeout       time.Duration
	maxRetries    int
}

// app is one invocation: its streams, environment and flags.
type app struct {
	io     streams
	getenv func(string) string
	flags  globalFlags
	// httpClient, when set by tests, replaces the default HTTP client.
	httpClient *http.Client
}

// testHook, set only by tests, adjusts an invocation before it runs (for
// example its HTTP client).
var testHook func(*app)

func run(ctx context.Context, args []string, s streams, getenv func(string) string) int {
	a := &app{io: s, getenv: getenv}
	if testHook != nil {
		testHook(a)
	}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintln(s.err, "devicebatches: "+oneLine(err.Error()))
	if code == exitUsage && !isInvalidArgument(err) {
		fmt.Fprintln(s.err, "Run 'devicebatches --help' for usage.")
	}
	return code
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "devicebatches",
		Short: "List Microsoft Partner Center zero-touch deployment device batches",
		Long: `devicebatches lists a customer's Windows Autopilot (zero-touch deployment)
device batches from Microsoft Partner Center.

Authentication: PARTNER_CENTER_TOKEN holds an access token for
https://api.partnercenter.microsoft.com (see README.md for app registrations).

Exit codes: 0 success; 1 service, network or authentication failure;
2 invalid input.`,
		Version:       wrapper.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	root.SetVersionTemplate("devicebatches {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.flags.baseURL, "base-url", "", "Partner Center base URL (env PARTNER_CENTER_BASE_URL; default "+wrapper.DefaultBaseURL+")")
	pf.StringVar(&a.flags.locale, "locale", "", "X-Locale sent with every request (default en-US)")
	pf.StringVar(&a.flags.correlationID, "correlation-id", "", "MS-CorrelationId GUID for every request (default: a new one)")
	pf.BoolVar(&a.flags.debug, "debug", false, "log every HTTP try to stderr, tokens redacted (env PARTNER_CENTER_DEBUG=1)")
	pf.DurationVar(&a.flags.timeout, "timeout", 2*time.Minute, "give up on the whole command after this long")
	pf.IntVar(&a.flags.maxRetries, "max-retries", wrapper.DefaultMaxRetries, "retries of a throttled or failed request (0 for none)")
	root.AddCommand(a.listCommand())
	return root
}

// client builds the wrapper client from flags and environment.
func (a *app) client(cred wrapper.TokenCredential) (*wrapper.Client, error) {
	base := a.flags.baseURL
	if base == "" {
		base = a.getenv("PARTNER_CENTER_BASE_URL")
	}
	if a.flags.maxRetries < 0 {
		return nil, usagef("--max-retries must be 0 or more, not %d", a.flags.maxRetries)
	}
	if a.flags.timeout <= 0 {
		return nil, usagef("--timeout must be positive, like 2m or 30s")
	}
	retries := a.flags.maxRetries
	if retries == 0 {
		retries = -1 // wrapper: negative disables retries
	}
	opts := &wrapper.ClientOptions{
		BaseURL:         base,
		Locale:          a.flags.locale,
		CorrelationID:   a.flags.correlationID,
		UserAgentSuffix: "devicebatches-cli",
		HTTPClient:      a.httpClient,
		Retry:           &wrapper.RetryOptions{MaxRetries: retries},
	}
	if a.debugEnabled() {
		opts.Logger = slog.New(slog.NewTextHandler(a.io.err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return wrapper.NewClient(cred, opts)
}

func (a *app) debugEnabled() bool {
	if a.flags.debug {
		return true
	}
	v, _ := strconv.ParseBool(a.getenv("PARTNER_CENTER_DEBUG"))
	return v
}

// credential returns the token source. PARTNER_CENTER_TOKEN is the only
// source the command line knows of: there is deliberately no --token flag,
// because every local user can read a process's arguments.
func (a *app) credential() (wrapper.TokenCredential, string, error) {
	if tok := strings.TrimSpace(a.getenv("PARTNER_CENTER_TOKEN")); tok != "" {
		return wrapper.StaticToken(tok), "PARTNER_CENTER_TOKEN", nil
	}
	return nil, "", usagef("no credentials: set PARTNER_CENTER_TOKEN to an access token for %s", wrapper.DefaultScope)
}

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) || isInvalidArgument(err) {
		return exitUsage
	}
	return exitFailure
}

func isInvalidArgument(err error) bool {
	var ia *wrapper.InvalidArgumentError
	return errors.As(err, &ia)
}

// oneLine keeps every message on one line whatever an error carries.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
