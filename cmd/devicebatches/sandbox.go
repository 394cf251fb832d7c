package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
	"github.com/partnercenter-go/devicebatches/internal/adaptive"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// sandboxToken is the bearer token sent to the in-process sandbox. The
// sandbox accepts any bearer token; this one is no secret and never leaves
// the loopback interface.
const sandboxToken = "devicebatches-sandbox"

// sandboxNotice tells the user on stderr that no real service answered.
const sandboxNotice = "devicebatches: using the built-in sandbox (sandbox data, not Partner Center)"

// shutdownGrace bounds how long stopping a sandbox waits for requests in
// flight.
const shutdownGrace = 5 * time.Second

type sandboxFlags struct {
	addr          string
	data          string
	seed          int64
	throttleEvery int
	throttleRate  float64
	retryAfter    time.Duration
	errorRate     float64
	latency       time.Duration
	pageSize      int
	allowRemote   bool
	// processingDelay is how long an upload takes (issue 13).
	processingDelay time.Duration
	drift           string
	quirks          string

	// Many customers (issue 14): generated customers and a rate limit.
	customers int
	rateLimit float64
	rateModel string
}

func (a *app) sandboxCommand() *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the built-in Partner Center sandbox (listings, uploads, status, deletes, profiles) over HTTP",
		Long: `sandbox serves an in-memory imitation of Partner Center's device-batch
operations, validated against the OpenAPI document, for trying this tool
and other clients without a Partner Center account. It accepts any bearer
token. It listens on loopback only unless --allow-remote is given (it
then warns, and announces the loopback URL of a wildcard address such as
0.0.0.0; remote clients need https in front of it). It stops on Ctrl-C
(SIGINT) or SIGTERM, exiting 0 once it has shut down (its normal end,
unlike other commands, which exit 130 or 143).

Uploads (createDeviceBatch, addDevices) are queued, then processing, then
final after --processing-delay (0 processes them at once). Serial numbers
starting with OTHER- belong to another tenant (808); a device already in
the customer gets 806. The --sandbox flag of other commands runs a sandbox
in-process that processes uploads at once, as each command gets a fresh one.

Fault injection (deterministic under --seed) exercises a client's retries:
--throttle-every, --throttle-rate, --error-rate, --latency.

--quirks makes the answers show ways the real service answers that the
document allows but the default answers never show: bom (a UTF-8 byte
order mark before every JSON answer), link-shapes (links absolute, as
/v1//v1/..., or without a leading slash, in turn, with "&amp;" in their
query), error-v2 (error bodies as {code, message, errorName, isRetryable,
parameters, errorMessageExtended}, code a string), upload-200-body
(uploads answered 200 with the status link in the body, no Location) and
gateway-5xx (the first try of every GET answered 502 or 504; its retry,
with the same MS-RequestId, is served). --drift, unlike --quirks, leaves
the document.`,
		Example: `  devicebatches sandbox
  devicebatches sandbox --addr 127.0.0.1:9000 --data batches.json
  devicebatches sandbox --throttle-every 3 --retry-after 2s --error-rate 0.1 --seed 42
  devicebatches sandbox --quirks bom,link-shapes,error-v2,upload-200-body,gateway-5xx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSandbox(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.data, "data", "", "JSON data file of customers, batches and devices (default: the built-in data set)")
	fl.Int64Var(&f.seed, "seed", 0, "seed of generated ids, continuation tokens and random faults")
	fl.IntVar(&f.throttleEvery, "throttle-every", 0, "answer every Nth request with 429 (0: never)")
	fl.Float64Var(&f.throttleRate, "throttle-rate", 0, "answer 429 above this many requests per second (0: no limit)")
	fl.DurationVar(&f.retryAfter, "retry-after", fullhook.DefaultRetryAfter, "Retry-After of injected 429 and 503 answers")
	fl.Float64Var(&f.errorRate, "error-rate", 0, "fraction (0 to 1) of requests answered with 500 or 503")
	fl.DurationVar(&f.latency, "latency", 0, "delay every request by this long")
	fl.IntVar(&f.pageSize, "page-size", fullhook.DefaultPageSize, "devices per page")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fl.DurationVar(&f.processingDelay, "processing-delay", fullhook.DefaultProcessingDelay, "how long an upload takes to process (0: at once)")
	fl.StringVar(&f.drift, "drift", "", "make answers drift from the document, to test contract validation: all or a comma-separated list of "+driftKinds())
	fl.StringVar(&f.quirks, "quirks", "", "make answers show the real service's quirks, within the document: all or a comma-separated list of "+strings.Join(fullhook.QuirkKinds, ", "))
	// Many customers (issue 14).
	fl.IntVar(&f.customers, "customers", 0, "also serve this many generated customers (some with batches, some without; at most 10000)")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "answer 429 with Retry-After above this many requests per second, a limit the client is not told (0: none)")
	fl.StringVar(&f.rateModel, "rate-model", fullhook.ModelBucket, "how --rate-limit counts: bucket (token bucket, burst of a tenth of a second) or window (fixed one-second windows)")
	return cmd
}

func (a *app) runSandbox(ctx context.Context, f sandboxFlags) error {
	if a.flags.sandbox {
		return usagef("--sandbox applies to service commands such as list, not to the sandbox command")
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return usagef("--addr %q is not host:port: %v", f.addr, err)
	}
	if !isLoopback(host) && !f.allowRemote {
		return usagef("--addr %q is not a loopback address: the sandbox accepts any token, so it listens on loopback only; add --allow-remote to serve other hosts", f.addr)
	}
	if f.pageSize <= 0 {
		return usagef("--page-size must be 1 or more, not %d", f.pageSize)
	}
	if f.processingDelay < 0 {
		return usagef("--processing-delay must be 0 or more, not %s", f.processingDelay)
	}
	if err := checkSandboxFlags(f); err != nil {
		return err
	}
	full, err := a.fullFeatures()
	if err != nil {
		return err
	}
	if err := full.CheckDrift(f.drift); err != nil {
		return usagef("--drift: %v", err)
	}
	hs, err := full.NewSandbox(fullhook.Sandbox{
		PageSize:        f.pageSize,
		Seed:            f.seed,
		ProcessingDelay: f.processingDelay,
		Logger:          slog.New(slog.NewTextHandler(a.io.err, nil)),
		ThrottleEvery:   f.throttleEvery,
		ThrottleRate:    f.throttleRate,
		RetryAfter:      f.retryAfter,
		ErrorRate:       f.errorRate,
		Latency:         f.latency,
		Drift:           f.drift,
		Quirks:          f.quirks,
		Customers:       f.customers, // many customers (issue 14)
		RateLimit:       f.rateLimit,
		RateModel:       f.rateModel,
		DataFile:        f.data,
	})
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", f.addr)
	if err != nil {
		return listenError(f.addr, err)
	}
	url, remote := announcedURL(host, ln.Addr())
	if remote {
		fmt.Fprintf(a.io.err, "devicebatches: warning: --allow-remote: the sandbox accepts any token and is reachable from the network on %s\n", ln.Addr())
		fmt.Fprintln(a.io.err, "devicebatches: remote clients need https in front of it (a TLS-terminating proxy): devicebatches sends plain http to loopback hosts only")
	}
	fmt.Fprintf(a.io.out, "sandbox listening on %s\n", url)
	flush(a.io.out) // scripts wait for this line
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("sandbox: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("sandbox: shutting down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// startSandbox starts the built-in sandbox with its default data on a free
// loopback port for one command (the --sandbox flag). It returns the base
// URL to give the client, a credential the sandbox accepts, and stop, which
// shuts the sandbox down; stop is never nil.
func (a *app) startSandbox(ctx context.Context) (baseURL string, cred wrapper.TokenCredential, stop func(), err error) {
	noop := func() {}
	// ProcessingDelay 0: uploads are final at once, since the sandbox lives
	// only as long as this one command.
	o := fullhook.Sandbox{Drift: a.contract.drift}
	if err := a.checkSandboxDrift(); err != nil {
		return "", nil, noop, err
	}
	if a.debugEnabled() {
		o.Logger = slog.New(slog.NewTextHandler(a.io.err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	full, err := a.fullFeatures()
	if err != nil {
		return "", nil, noop, err
	}
	hs, err := full.NewSandbox(o)
	if err != nil {
		return "", nil, noop, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, noop, fmt.Errorf("sandbox: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln) // ends with ErrServerClosed when stop runs
	}()
	fmt.Fprintln(a.io.err, sandboxNotice)
	stop = func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		_ = hs.Shutdown(sctx)
		<-done
	}
	return "http://" + ln.Addr().String(), wrapper.StaticToken(sandboxToken), stop, nil
}

// withService runs fn with the client of a service command (the sandbox
// with --sandbox, else Partner Center) under the command's --timeout, and
// names the timeout when it is what stopped the call.
func (a *app) withService(ctx context.Context, fn func(ctx context.Context, client *wrapper.Client) error) error {
	return a.withServiceAsking(ctx, nil, fn)
}

// withServiceAsking is withService for a command that asks before it acts
// (delete-device): ask runs once the client is set up and, off the
// sandbox, its credential has given a token, so that bad flags and missing
// or refused credentials fail before the question, not after a yes. The
// --timeout clock starts after the answer.
func (a *app) withServiceAsking(ctx context.Context, ask func() error, fn func(ctx context.Context, client *wrapper.Client) error) error {
	client, stop, err := a.serviceClient(ctx, ask != nil)
	defer stop()
	if err != nil {
		return err
	}
	if ask != nil {
		if err := ask(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, a.flags.timeout)
	defer cancel()
	err = fn(ctx, client)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return fmt.Errorf("gave up after --timeout %s: %w", a.flags.timeout, err)
	}
	// Before the try's timeout: a wait refused because it would pass the
	// deadline (a throttling pause, the rate limiter) also matches
	// context.DeadlineExceeded, and --timeout is what to raise for it.
	if waitPassesDeadline(ctx, err) {
		return fmt.Errorf("--timeout %s leaves too little time to wait as Partner Center asked: %w", a.flags.timeout, err)
	}
	if err != nil && a.flags.tryTimeout > 0 && errors.Is(err, context.DeadlineExceeded) {
		// The command's own deadline has not passed: a try's did.
		return fmt.Errorf("a try gave up after --try-timeout %s: %w", a.flags.tryTimeout, err)
	}
	return err
}

// waitPassesDeadline reports an error of a call refused at once because
// the wait Partner Center asked for would pass ctx's deadline: --timeout,
// not --try-timeout, which bounds one try only.
func waitPassesDeadline(ctx context.Context, err error) bool {
	dl, ok := ctx.Deadline()
	if err == nil || !ok {
		return false
	}
	if errors.Is(err, adaptive.ErrDeadline) {
		return true // the rate limiter refused a wait past the deadline
	}
	var re *wrapper.ResponseError
	if errors.As(err, &re) {
		return re.RetryAfter > 0 && time.Now().Add(re.RetryAfter).After(dl)
	}
	var pe *wrapper.ThrottlePauseError
	return errors.As(err, &pe) && pe.Until.After(dl) && time.Until(pe.Until) <= pe.MaxPause
}

// serviceClient returns the client a service command uses: against the
// in-process sandbox with --sandbox, else against Partner Center with
// PARTNER_CENTER_TOKEN. With signIn, a token is got from the credential
// before it returns (signIn). stop releases the sandbox and is never nil.
func (a *app) serviceClient(ctx context.Context, signIn bool) (client *wrapper.Client, stop func(), err error) {
	stop = func() {}
	if !a.flags.sandbox {
		cred, _, err := a.credential()
		if err != nil {
			return nil, stop, err
		}
		if signIn {
			if cred, err = a.signIn(ctx, cred); err != nil {
				return nil, stop, err
			}
		}
		client, err := a.client(cred)
		return client, stop, err
	}
	if a.flags.baseURL != "" {
		return nil, stop, usagef("--sandbox and --base-url cannot be used together")
	}
	base, cred, stop, err := a.startSandbox(ctx)
	if err != nil {
		return nil, stop, err
	}
	a.flags.baseURL = base
	client, err = a.client(cred)
	if err != nil {
		stop()
		return nil, func() {}, err
	}
	return client, stop, nil
}

// signIn gets a token from cred now, as the first request would, so that
// no credential found (the implicit default chain finds one only when
// asked for a token) or one refused is reported at once. It asks as
// azcore's bearer token policy asks (CAE on: azidentity keeps a cache for
// each), and returns cred with that token kept for the requests that
// follow: AzureCLICredential caches nothing and would run az again, and an
// interactive credential asked otherwise would prompt again.
func (a *app) signIn(ctx context.Context, cred wrapper.TokenCredential) (wrapper.TokenCredential, error) {
	ctx, cancel := context.WithTimeout(ctx, a.flags.timeout)
	defer cancel()
	scopes := []string{a.scope()}
	opts := policy.TokenRequestOptions{Scopes: scopes, EnableCAE: true}
	tok, err := cred.GetToken(ctx, opts)
	if err != nil {
		return nil, &wrapper.AuthenticationError{Scopes: scopes, Err: err}
	}
	return &signedIn{TokenCredential: cred, opts: opts, tok: tok}, nil
}

// signedIn is a credential whose token from signIn serves every request
// asking the same (scopes, CAE, no claims, no tenant) while it has more
// than five minutes left; any other request goes to the credential.
type signedIn struct {
	wrapper.TokenCredential
	opts policy.TokenRequestOptions
	tok  azcore.AccessToken
}

// GetToken implements azcore.TokenCredential.
func (s *signedIn) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if o.EnableCAE == s.opts.EnableCAE && o.Claims == "" && o.TenantID == "" && slices.Equal(o.Scopes, s.opts.Scopes) &&
		time.Until(s.tok.ExpiresOn) > 5*time.Minute {
		return s.tok, nil
	}
	return s.TokenCredential.GetToken(ctx, o)
}

// announcedURL is the URL the sandbox command announces for listener address
// addr, asked for as host, and whether other hosts can reach it. A
// wildcard address (0.0.0.0, ::, none) is announced in its loopback form:
// the CLI takes plain http to loopback only, so "http://[::]:8080" would be
// refused as --base-url.
func announcedURL(host string, addr net.Addr) (url string, remote bool) {
	if isLoopback(host) {
		return "http://" + addr.String(), false
	}
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return "http://" + addr.String(), true
	}
	loopback := "127.0.0.1"
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		loopback = "::1" // asked for IPv6's wildcard
	}
	return "http://" + net.JoinHostPort(loopback, strconv.Itoa(ta.Port)), true
}

// isLoopback reports whether host is a loopback name or address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
