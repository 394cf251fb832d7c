package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestUploadTryTimeout: under the CLI's defaults an upload the service
// takes slowly but steadily (over a minute) is never cut and sent again;
// with --try-timeout, an upload answered after its try gave up is sent
// once, and the error says it may have been carried out and to list the
// batch's devices. The service is on net.Pipe inside a synctest bubble: no
// real waiting.
func TestUploadTryTimeout(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// takeEvery: the service reads 256 bytes of the upload's body this
		// often; answerAfter: then it answers this long after.
		takeEvery, answerAfter time.Duration
		code                   int
		want                   []string // on stdout or stderr
	}{
		{"defaults, a slow upload the service keeps taking", nil, time.Second, 0, exitOK, []string{`"batchTrackingId": "T-42"`}},
		{"--try-timeout 2s, an answer after 4s", []string{"--try-timeout", "2s"}, 0, 4 * time.Second, exitFailure,
			[]string{"--try-timeout 2s", "may have carried it out", "list the batch's devices (ListDevices)", "MS-RequestId",
				`; see the batch's devices with: devicebatches devices --customer ` + docCustomer + ` --batch "newb"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var posts atomic.Int32
				var took time.Duration // how long the service took to read the upload
				var served sync.WaitGroup
				defer served.Wait()
				dial := func(context.Context, string, string) (net.Conn, error) {
					srv, cli := net.Pipe()
					served.Go(func() {
						defer srv.Close()
						br := bufio.NewReader(srv)
						for {
							req, err := http.ReadRequest(br)
							if err != nil {
								return
							}
							const none = `{"totalCount":0,"items":[]}` // the customer's batches
							answer := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(none)) + "\r\n\r\n" + none
							if req.Method == http.MethodPost {
								posts.Add(1)
								start := time.Now()
								buf := make([]byte, 256)
								for err == nil {
									time.Sleep(tc.takeEvery)
									_, err = req.Body.Read(buf)
								}
								if err != io.EOF {
									return
								}
								took = time.Since(start)
								time.Sleep(tc.answerAfter)
								answer = "HTTP/1.1 202 Accepted\r\nLocation: /customers/" + docCustomer + "/batchJobStatus/T-42\r\nContent-Length: 0\r\n\r\n"
							}
							if _, err := io.WriteString(srv, answer); err != nil {
								return
							}
						}
					})
					return cli, nil
				}
				hc := &http.Client{Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
				args := append([]string{"upload", "--base-url", "http://127.0.0.1:1", "--customer", docCustomer, "--batch", "newb", "--csv", sampleCSV, "-o", "json"}, tc.args...)
				code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", []appOption{withTransport(hc)}, args...)
				if code != tc.code || posts.Load() != 1 {
					t.Fatalf("exit %d after %d uploads; want exit %d after one\nstdout: %s\nstderr: %s", code, posts.Load(), tc.code, out, errOut)
				}
				for _, want := range tc.want {
					if !strings.Contains(out+errOut, want) {
						t.Errorf("the output does not say %q:\nstdout: %s\nstderr: %s", want, out, errOut)
					}
				}
				if tc.takeEvery > 0 && took <= time.Minute {
					t.Errorf("the upload took %s to send; the test wants over a minute", took)
				}
			})
		})
	}
}

// TestDefaultTryTimeoutIsTheStallTimeout: by default the CLI leaves the
// wrapper its own transport and no Retry.TryTimeout, so that the wrapper's
// stall timeout (DefaultStallTimeout) bounds a silent connection and
// nothing bounds a try that keeps moving; --try-timeout still sets one.
func TestDefaultTryTimeoutIsTheStallTimeout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 0},
		{[]string{"--try-timeout", "45s"}, 45 * time.Second},
	} {
		a := newApp(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, func(string) string { return "" })
		if err := a.rootCommand().ParseFlags(tc.args); err != nil {
			t.Fatal(err)
		}
		opts, err := a.clientOptions()
		if err != nil {
			t.Fatal(err)
		}
		if opts.Transport != nil || opts.Retry.TryTimeout != tc.want {
			t.Errorf("%q: Transport %v, TryTimeout %s; want the wrapper's own transport and %s", tc.args, opts.Transport, opts.Retry.TryTimeout, tc.want)
		}
	}
	if wrapper.DefaultStallTimeout <= 0 {
		t.Error("the wrapper has no stall timeout to bound a silent connection")
	}
}
