package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/internal/version"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// defaultMaxRetries is azcore's default, shown in --help.
const defaultMaxRetries = 3

// defaultTryTimeout, zero, bounds no try: the client's stall timeout
// (wrapper.DefaultStallTimeout) cuts a connection the service is silent
// on, and a slow upload that keeps sending is never cut, as a per-try
// bound would cut it, however steady, and send it again.
const defaultTryTimeout time.Duration = 0

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
	jq            string
	baseURL       string
	locale        string
	correlationID string
	debug         bool
	timeout       time.Duration
	tryTimeout    time.Duration
	maxRetries    int
	sandbox       bool
}

// app is one invocation: its streams, environment and flags.
type app struct {
	io     streams
	getenv func(string) string
	flags  globalFlags
	auth   authFlags
	// transport, when set, carries the requests to Partner Center (tests
	// point it at local servers).
	transport policy.Transporter
	// credTransport, when set, carries the credential's requests to the
	// identity platform (tests use a loopback TLS token endpoint).
	credTransport policy.Transporter
	// jq, when --jq is set, filters the command's JSON output (jq.go).
	jq *jqFilter
	// credName names the credential in use, for error messages.
	credName string
	// terminal, when set, decides which streams are terminals (tests);
	// see isTerminal in upload.go.
	terminal func(stream any) bool
	// termWidth, when set, gives a terminal's columns (tests); see
	// statusLine in customers.go.
	termWidth func(stream any) int
	// contract is contract validation (contract.go).
	contract contractFlags
	// implicitDefault: no credential was chosen, so the default chain was
	// tried; finding nothing is then a usage error (missingCredentials).
	implicitDefault bool
	// csvSafe is --csv-safe (csv.go).
	csvSafe bool
	// format is the command's -o, for cliHints (hints.go).
	format string
	// full is the full build's sandbox and contract validation; nil in the
	// lean build (features.go).
	full fullhook.Features
	// args is the command line, handed unchanged to the full build.
	args []string
	// finder and exec, when set, replace how the lean build finds and
	// runs the full build (tests).
	finder *fullFinder
	exec   func(path string, args []string) error
}

// appOption adjusts an invocation; tests use them to reach local servers.
type appOption func(*app)

// withTransport sends the service's requests through t.
func withTransport(t policy.Transporter) appOption { return func(a *app) { a.transport = t } }

// withCredentialTransport sends the identity platform's requests through t.
func withCredentialTransport(t policy.Transporter) appOption {
	return func(a *app) { a.credTransport = t }
}

func newApp(s streams, getenv func(string) string, opts ...appOption) *app {
	a := &app{io: s, getenv: getenv, full: fullhook.Registered()}
	for _, o := range opts {
		o(a)
	}
	return a
}

func run(ctx context.Context, args []string, s streams, getenv func(string) string) int {
	return newApp(s, getenv).execute(ctx, args)
}

// execute runs one command line.
func (a *app) execute(ctx context.Context, args []string) (code int) {
	// stdout is buffered for every command (one write per 64 KiB, not per
	// line or cell) and flushed when the command ends, on error too.
	out := bufio.NewWriterSize(a.io.out, 64<<10)
	a.io.out = out
	s := a.io
	defer func() {
		if r := recover(); r != nil {
			out.Flush()
			code = crashed(s.err, r)
		}
	}()
	a.args = args
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	err := a.filterJQ(ctx, root.ExecuteContext(ctx))
	err = cliHints(a.explainAuth(a.missingCredentials(classify(a.strictContract(err)))), a.format)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err == nil {
		return exitOK
	}
	if ce := (*childExit)(nil); errors.As(err, &ce) {
		return ce.code // the full build ran the command and said why it failed
	}
	if sig, ok := signalExit(ctx); ok {
		fmt.Fprintln(s.err, "devicebatches: "+interrupted(sig))
		return sig
	}
	code = exitCode(err)
	fmt.Fprintln(s.err, "devicebatches: "+oneLine(err.Error()))
	if code == exitUsage && !isInvalidArgument(err) && !errors.As(err, new(*fullMissingError)) {
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

Exit codes: 0 success; 1 service, network or authentication failure, or a
--jq expression that failed on the output; 2 usage, before any request:
unknown command or flag, stray arguments, invalid values, an empty or
malformed --jq, missing credentials; 70 internal error (a bug); 130
interrupted (SIGINT, Ctrl-C); 143 terminated (SIGTERM).`,
		Version:       version.String(),
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
	pf.DurationVar(&a.flags.tryTimeout, "try-timeout", defaultTryTimeout, "give up on one try of a request after this long and retry it within --timeout (an upload or profile assignment is not sent again); 0, the default: no bound, but a connection the service is silent on for "+wrapper.DefaultStallTimeout.String()+" is cut")
	pf.IntVar(&a.flags.maxRetries, "max-retries", defaultMaxRetries, "retries of a throttled or failed request (0 for none)")
	pf.StringVar(&a.flags.jq, "jq", "", "filter JSON output with a jq expression, such as '.[].id' (implies -o json)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := a.handToFull(cmd); err != nil {
			return err
		}
		if err := a.setupJQ(cmd); err != nil {
			return err
		}
		a.format = outputFormat(cmd)
		return nil
	}
	pf.BoolVar(&a.flags.sandbox, "sandbox", false, "call the built-in sandbox (sandbox data, no credentials) instead of Partner Center")
	a.addAuthFlags(pf)
	a.addContractFlags(pf)
	root.AddCommand(markService(a.listCommand(), a.customersCommand(), a.devicesCommand(), a.doctorCommand())...)
	// The zero-touch write path: upload.go, outcome.go, profiles.go.
	root.AddCommand(markService(a.uploadCommand(), a.statusCommand(), a.deleteDeviceCommand(), a.profilesCommand(), a.assignProfileCommand())...)
	root.AddCommand(a.sandboxCommand())
	a.registerCompletions(root)
	for _, c := range root.Commands() {
		if c.Name() == "sandbox" {
			ownFlagsOnly(c)
		}
	}
	return root
}

// client builds the wrapper client from flags and environment.
func (a *app) client(cred wrapper.TokenCredential) (*wrapper.Client, error) {
	opts, err := a.clientOptions()
	if err != nil {
		return nil, err
	}
	return wrapper.NewClient(cred, opts)
}

// clientOptions are the wrapper client's options from flags and
// environment.
func (a *app) clientOptions() (*wrapper.ClientOptions, error) {
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
	if a.flags.tryTimeout < 0 {
		return nil, usagef("--try-timeout must be 0 (no bound on a try) or positive, like 60s")
	}
	opts := &wrapper.ClientOptions{
		BaseURL:       base,
		Locale:        a.flags.locale,
		CorrelationID: a.flags.correlationID,
	}
	opts.Telemetry.ApplicationID = "devicebatches-cli"
	opts.Transport = a.transport
	opts.Retry.MaxRetries = int32(min(a.flags.maxRetries, 100))
	// Zero leaves Retry.TryTimeout unset: with the wrapper's own transport
	// (a.transport is nil but in tests), the stall timeout bounds a try.
	opts.Retry.TryTimeout = a.flags.tryTimeout
	if a.flags.maxRetries == 0 {
		opts.Retry.MaxRetries = -1 // azcore: negative means no retries
	}
	if a.debugEnabled() {
		opts.Logger = slog.New(slog.NewTextHandler(a.io.err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if p, err := a.contractPolicy(); err != nil {
		return nil, err
	} else if p != nil {
		opts.PerRetryPolicies = append(opts.PerRetryPolicies, p)
	}
	return opts, nil
}

func (a *app) debugEnabled() bool {
	if a.flags.debug {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(a.getenv("PARTNER_CENTER_DEBUG"))) {
	case "1", "t", "true", "y", "yes", "on":
		return true
	}
	return false
}

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) || isInvalidArgument(err) || errors.As(err, new(*fullMissingError)) {
		return exitUsage
	}
	var pe *wrapper.PanicError
	if errors.As(err, &pe) {
		return exitSoftware // a bug, never a usage error
	}
	return exitFailure
}

func isInvalidArgument(err error) bool {
	var ia *wrapper.InvalidArgumentError
	return errors.As(err, &ia)
}

// oneLine keeps every message on one bounded line (4 KiB; a service's
// description is already cut at 2 KiB by the wrapper) whatever an error
// carries, with terminal control characters and bidi controls escaped.
func oneLine(s string) string { return safetext.Line(s, 4<<10) }
