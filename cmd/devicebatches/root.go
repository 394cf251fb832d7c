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

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
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
	sandbox       bool
}

// app is one invocation: its streams, environment and flags.
type app struct {
	io     streams
	getenv func(string) string
	flags  globalFlags
	auth   authFlags
	// httpClient, when set by tests, replaces the default HTTP client.
	httpClient *http.Client
	// credTransport, when set by tests, carries the credential's requests
	// to the identity platform (a test token server).
	credTransport policy.Transporter
	// credName names the credential in use, for error messages.
	credName string
}

// testHook, set only by tests, adjusts an invocation before it runs (for
// example its HTTP client).
var testHook func(*app)

func run(ctx context.Context, args []string, s streams, getenv func(string) string) int {
	a := &app{io: s, getenv: getenv}
	if testHook != nil {
		testHook(a)
	}
	return a.execute(ctx, args)
}

// execute runs one command line; tests call it on an app whose test hooks
// (httpClient, credTransport) are set.
func (a *app) execute(ctx context.Context, args []string) int {
	s := a.io
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	err := a.explainAuth(root.ExecuteContext(ctx))
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

Authentication: --auth env|cli|device-code|browser|managed-identity|default
(env PARTNER_CENTER_AUTH). Without it, PARTNER_CENTER_TOKEN (an access token
for https://api.partnercenter.microsoft.com) when set, else default. See
README.md for app registrations.
With --sandbox, a command calls the built-in sandbox instead (sandbox data,
no token needed); 'devicebatches sandbox' serves it over HTTP.

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
	pf.BoolVar(&a.flags.sandbox, "sandbox", false, "call the built-in sandbox (sandbox data, no credentials) instead of Partner Center")
	a.addAuthFlags(pf)
	root.AddCommand(a.listCommand(), a.devicesCommand(), a.sandboxCommand())
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
