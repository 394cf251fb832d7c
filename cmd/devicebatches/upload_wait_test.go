package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
)

// acceptingServer accepts an upload (202, tracking id T-42) and answers
// every status read with a status that never becomes final; with onStatus
// set it calls it instead and holds the read until the client gives up.
func acceptingServer(t *testing.T, onStatus func()) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/deviceBatches"):
			fmt.Fprint(w, `{"totalCount":0,"items":[]}`)
		case r.Method == http.MethodPost || r.Method == http.MethodPatch:
			w.Header().Set("Location", "/customers/"+docCustomer+"/batchJobStatus/T-42")
			w.WriteHeader(http.StatusAccepted)
		case onStatus != nil:
			onStatus()
			<-r.Context().Done()
		default:
			fmt.Fprint(w, `{"batchTrackingId":"T-42","status":"processing","devicesStatus":[{"serialNumber":"PF3ZK1A0","status":"in-progress"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestUploadWaitCutShortKeepsStdout: when --timeout or a signal ends
// upload --wait, stdout still carries, in the -o format, the last status
// read (with its batchTrackingId) or, when none was read, what upload
// prints without --wait, so that a script keeping stdout can run status
// later; the exit code stays non-zero.
func TestUploadWaitCutShortKeepsStdout(t *testing.T) {
	env := map[string]string{"PARTNER_CENTER_TOKEN": "t"}
	plain := []appOption{withTransport(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})}
	upload := func(base string, extra ...string) []string {
		return append([]string{"upload", "--base-url", base, "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV, "--wait"}, extra...)
	}
	timeouts := []struct {
		name string
		args []string
		want string
	}{
		{"json", []string{"-o", "json"}, "{\n  \"batchTrackingId\": \"T-42\",\n  \"status\": \"processing\",\n  \"devicesStatus\": [\n    {\n      \"serialNumber\": \"PF3ZK1A0\",\n      \"status\": \"in-progress\"\n    }\n  ]\n}\n"},
		{"jsonl", []string{"-o", "jsonl"}, `{"batchTrackingId":"T-42","status":"processing","devicesStatus":[{"serialNumber":"PF3ZK1A0","status":"in-progress"}]}` + "\n"},
		{"--jq", []string{"--jq", ".batchTrackingId"}, "T-42\n"},
		{"table", nil, "SERIAL    PRODUCT KEY  STATUS       ERROR  HINT\nPF3ZK1A0  -            in-progress  -      -\n"},
	}
	for _, tt := range timeouts {
		t.Run("--timeout, "+tt.name, func(t *testing.T) {
			srv := acceptingServer(t, nil)
			synctest.Test(t, func(t *testing.T) {
				code, out, errOut := runApp(t, env, "", plain, upload(srv.URL, append(tt.args, "--timeout", "10s")...)...)
				if code != exitFailure {
					t.Fatalf("exit %d, want 1: %s", code, errOut)
				}
				if out != tt.want {
					t.Errorf("stdout:\n%q\nwant:\n%q", out, tt.want)
				}
				if !strings.Contains(errOut, "still processing") || !strings.Contains(errOut, "devicebatches status --customer "+docCustomer+" --tracking T-42") {
					t.Errorf("stderr:\n%s", errOut)
				}
			})
		})
	}

	// Interrupted before any status was read: what upload prints without
	// --wait.
	for _, format := range []string{"json", "jsonl"} {
		t.Run("SIGINT before a status, "+format, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			srv := acceptingServer(t, func() { cancel(signalCause{syscall.SIGINT}) })
			var out, errb bytes.Buffer
			a := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb}, envFrom(env), plain...)
			code := a.execute(ctx, upload(srv.URL, "-o", format))
			want := "{\n  \"batchId\": \"B\",\n  \"batchTrackingId\": \"T-42\"\n}\n"
			if format == "jsonl" {
				want = `{"batchId":"B","batchTrackingId":"T-42"}` + "\n"
			}
			if code != exitInterrupted || out.String() != want {
				t.Errorf("exit %d, stdout %q; want %d, %q (stderr %q)", code, out.String(), exitInterrupted, want, errb.String())
			}
		})
	}

	// assign-profile likewise prints what it prints without --wait: the
	// tracking id and the profile.
	t.Run("assign-profile, SIGINT before a status", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		srv := acceptingServer(t, func() { cancel(signalCause{syscall.SIGINT}) })
		var out, errb bytes.Buffer
		a := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb}, envFrom(env), plain...)
		code := a.execute(ctx, []string{"assign-profile", "--base-url", srv.URL, "--customer", docCustomer, "--profile", "P", "--device", "D", "--wait", "-o", "jsonl"})
		want := `{"batchTrackingId":"T-42","profileId":"P"}` + "\n"
		if code != exitInterrupted || out.String() != want {
			t.Errorf("exit %d, stdout %q; want %d, %q (stderr %q)", code, out.String(), exitInterrupted, want, errb.String())
		}
	})

	// --jq still filters what is printed after an interrupt, and stderr
	// still names the status command although the interrupt's message
	// takes the error's place.
	t.Run("--jq, SIGINT before a status", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		srv := acceptingServer(t, func() { cancel(signalCause{syscall.SIGINT}) })
		var out, errb bytes.Buffer
		a := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb}, envFrom(env), plain...)
		code := a.execute(ctx, upload(srv.URL, "--jq", ".batchTrackingId"))
		if code != exitInterrupted || out.String() != "T-42\n" || !strings.Contains(errb.String(), "see it later with: devicebatches status --customer "+docCustomer+" --tracking T-42") {
			t.Errorf("exit %d, stdout %q; want %d, %q and the status command on stderr (stderr %q)", code, out.String(), exitInterrupted, "T-42\n", errb.String())
		}
	})
}

// TestStatusWaitUnknownTrackingPrintsNothing: status --wait whose first
// read fails prints no status-like fallback on stdout: there is no
// status, and the tracking id may be what is wrong.
func TestStatusWaitUnknownTrackingPrintsNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":600,"description":"not found","source":"PartnerFD"}`)
	}))
	defer srv.Close()
	for _, format := range []string{"json", "jsonl", "table"} {
		code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", nil,
			"status", "--base-url", srv.URL, "--customer", docCustomer, "--tracking", "NOPE", "--wait", "-o", format)
		if code != exitFailure || out != "" || strings.Contains(errOut, "see it later") {
			t.Errorf("-o %s: exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout, no hint", format, code, out, errOut)
		}
	}
}
