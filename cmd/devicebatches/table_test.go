package main

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestTableMatchesTabwriter: random tables, regular or not, print exactly
// as text/tabwriter prints them when every character is one terminal
// column wide (where tabwriter's rune count is the width). Wide characters:
// TestTableAlignsWideCharacters.
func TestTableMatchesTabwriter(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 3))
	cells := []string{"", "-", "a", "Test batch", "café", "Ωmega", "2017-07-25T01:51:00", "\\t", strings.Repeat("w", 80), "\xff", "a\vb", "\x80", "\xe6\x97", "ab\xc3"}
	for i := range 3000 {
		cols := 1 + r.IntN(5)
		var lines []string
		for range r.IntN(6) {
			n := cols
			if r.IntN(15) == 0 {
				n = r.IntN(7) // a line with another number of cells
			}
			var cs []string
			for range n {
				cs = append(cs, cells[r.IntN(len(cells))])
			}
			lines = append(lines, strings.Join(cs, "\t"))
		}
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
		rows := newTableRows()
		for _, l := range lines {
			tw.Write([]byte(l + "\n"))
			rows.add(l)
		}
		tw.Flush()
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		if err := rows.writeTo(bw); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		if got.String() != want.String() {
			t.Fatalf("case %d %q:\ngot:\n%q\nwant:\n%q", i, lines, got.String(), want.String())
		}
	}
}

// TestTableAlignsWideCharacters: East Asian wide characters and emoji take
// two terminal columns, combining marks none; the columns after them stay
// aligned on a terminal (tabwriter, counting runes, would shift them).
func TestTableAlignsWideCharacters(t *testing.T) {
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{"ID\tCOMPANY\tDEVICES", "1\t日本マイクロ\t5", "2\tContoso\t7"},
			"ID  COMPANY       DEVICES\n1   日本マイクロ  5\n2   Contoso       7\n"},
		{[]string{"A\tB", "😀😀\tx", "é\u0301\ty"},
			"A     B\n😀😀  x\né\u0301     y\n"},
	}
	for _, tt := range tests {
		rows := newTableRows()
		for _, l := range tt.lines {
			rows.add(l)
		}
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		if err := rows.writeTo(bw); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		if got.String() != tt.want {
			t.Errorf("%q:\ngot:\n%s\nwant:\n%s", tt.lines, got.String(), tt.want)
		}
	}
}

func BenchmarkTable(b *testing.B) {
	var lines []string
	for i := range 100_000 {
		lines = append(lines, "batch "+strings.Repeat("x", i%13)+"\tfinished\t2017-07-25T01:51:00\t42")
	}
	b.Run("impl=tabwriter", func(b *testing.B) {
		for b.Loop() {
			bw := bufio.NewWriterSize(discard{}, 64<<10)
			tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
			for _, l := range lines {
				tw.Write([]byte(l))
				tw.Write([]byte{'\n'})
			}
			tw.Flush()
			bw.Flush()
		}
	})
	b.Run("impl=tableRows", func(b *testing.B) {
		for b.Loop() {
			rows := newTableRows()
			for _, l := range lines {
				rows.add(l)
			}
			writeRows(discard{}, rows)
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestEveryTableAlignsWideCharacters: the tables printed outside
// writeTable (the fan-out's, with its CUSTOMER column, and the per-device
// outcome of upload, status and assign-profile) align East Asian text in
// terminal columns too, as text/tabwriter, counting runes, does not.
func TestEveryTableAlignsWideCharacters(t *testing.T) {
	t.Parallel()
	const customer = "47021739-3426-40bf-9601-61b4b6d7c793"
	batches := `{"totalCount":2,"items":[` +
		`{"id":"日本マイクロ","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":5},` +
		`{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":12}]}`
	bySerial := `{"batchTrackingId":"t1","status":"finished_with_errors","devicesStatus":[` +
		`{"serialNumber":"SN-1","status":"success"},` +
		`{"serialNumber":"東京-2","productKey":"PK","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"}]}`
	byDevice := `{"batchTrackingId":"t2","status":"finished","devicesStatus":[` +
		`{"deviceId":"d1","status":"失敗","errorDescription":"端末"},` +
		`{"deviceId":"d2","status":"success"}]}`
	tests := []struct {
		name  string
		body  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"list --customers-file", batches, customer + "\n", []string{"list", "--customers-file", "-", "--rate", "1000"}, exitOK,
			"CUSTOMER                              ID            STATUS    CREATED              DEVICES\n" +
				customer + "  日本マイクロ  finished  2017-07-25T01:51:00  5\n" +
				customer + "  Test batch    finished  2017-07-25T01:51:00  12\n"},
		{"status, by serial", bySerial, "", []string{"status", "--customer", customer, "--tracking", "t1"}, exitFailure,
			"SERIAL  PRODUCT KEY  STATUS   ERROR                               HINT\n" +
				"SN-1    -            success  -                                   -\n" +
				"東京-2  PK           failed   808 ZtdDeviceAssignedToOtherTenant  " + wrapper.UploadErrorHint("808", "ZtdDeviceAssignedToOtherTenant") + "\n"},
		{"status, by device", byDevice, "", []string{"status", "--customer", customer, "--tracking", "t2"}, exitFailure,
			"DEVICE ID  STATUS   ERROR  HINT\n" +
				"d1         失敗     端末   see Partner Center's error text\n" +
				"d2         success  -      -\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newExampleServer(t, 200, tt.body)
			code, out, errOut := runCLIStdin(t, tt.stdin, append(tt.args, "--base-url", srv.URL)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			if out != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}
