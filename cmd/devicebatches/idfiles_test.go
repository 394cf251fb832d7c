package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

const (
	devA = "7c141ea9-2816-4e15-a819-53f6856499ff"
	devB = "e528a62f-5031-49f4-bea7-5fafe47388fd"
)

// utf16Bytes encodes s as UTF-16 in order, with a byte order mark if bom.
func utf16Bytes(s string, order binary.ByteOrder, bom bool) []byte {
	if bom {
		s = "\ufeff" + s
	}
	units := utf16.Encode([]rune(s))
	buf := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(buf[2*i:], u)
	}
	return buf
}

func TestParseDeviceIDs(t *testing.T) {
	t.Parallel()
	// devices -o csv, as the reviewer redirected it to ids.txt.
	export := "id,serialNumber,productKey,modelName,oemManufacturerName,uploadedDate\n" +
		devA + ",2R9-vm,,Virtual Machine,Microsoft Corporation,2017-08-09T14:43:26.0092288-07:00\n" +
		devB + ",\"1R8, vm\",,Virtual Machine,Microsoft Corporation,2017-08-09T14:43:26.0092288-07:00\n"
	tests := []struct {
		name, in string
		want     []string
		wantErr  string // the whole usage error
	}{
		{name: "one per line", in: "# Test batch\n" + devA + "\n\n" + devB + "\r\n", want: []string{devA, devB}},
		{name: "devices -o csv", in: export, want: []string{devA, devB}},
		{name: "utf-16 le with bom (PowerShell 5.1 >)", in: string(utf16Bytes(strings.ReplaceAll(export, "\n", "\r\n"), binary.LittleEndian, true)), want: []string{devA, devB}},
		{name: "utf-16 be without bom", in: string(utf16Bytes(devA+"\n", binary.BigEndian, false)), want: []string{devA}},
		{name: "not a guid is still an id", in: "9993-8627-3608-6844-6369-4361-72\n", want: []string{"9993-8627-3608-6844-6369-4361-72"}},

		{name: "semicolons", in: "id;serialNumber\n" + devA + ";2R9\n", wantErr: `ids.txt:1: "id;serialNumber" is not a device id: it holds ';': save a semicolon-separated file with commas`},
		{name: "tab separated", in: devA + "\t2R9\n", wantErr: `ids.txt:1: "` + devA + `\t2R9" is not a device id: it holds a space or tab: give one id per line, or CSV with the id first`},
		{name: "utf-32 read as utf-16", in: "x\x00\x00\x00", wantErr: `ids.txt:1: "x\x00" is not a device id: it holds the control character U+0000: save the file as UTF-8 or UTF-16 text`},
		{name: "lost in conversion", in: devA + "\n7c14\ufffd\n", wantErr: `ids.txt:2: "7c14�" is not a device id: it holds U+FFFD, a character lost when the file was converted: save the file again as UTF-8 or UTF-16`},
		{name: "latin-1", in: "caf\xe9\n", wantErr: `ids.txt:1: "caf\xe9" is not a device id: it is not UTF-8 text: save the file as UTF-8 or UTF-16`},
		{name: "braces", in: "{" + devA + "}\n", wantErr: `ids.txt:1: "{` + devA + `}" is not a device id: it holds '{': give the id alone, as 'devicebatches devices' and 'profiles' list it`},
		{name: "too long", in: strings.Repeat("a1", 200) + "\n", wantErr: `ids.txt:1: "` + strings.Repeat("a1", 30) + `..." is not a device id: it is 400 bytes long, and ids are at most 256`},
		{name: "repeated, any case", in: devA + "\n" + strings.ToUpper(devA) + "\n", wantErr: "ids.txt:2: device " + strings.ToUpper(devA) + " repeats line 1: give each device once"},
		{name: "two exports joined", in: export + export, wantErr: `ids.txt:4: "id,serialNumber,productKey,modelName,oemManufacturerName,upl..." is a header row, but only the first row may be one: remove this row`},
		{name: "zero-width space", in: devA + "\n" + devB + "\u200b\n", wantErr: `ids.txt:2: "` + devB + `\u200b" is not a device id: it holds the invisible character U+200B at position 37: remove it`},
		{name: "byte order mark inside", in: "d1\uFEFF\n", wantErr: `ids.txt:1: "d1\ufeff" is not a device id: it holds the invisible character U+FEFF at position 3: remove it`},
		{name: "word joiner", in: "d\u2060\u00e91\n", wantErr: `ids.txt:1: "d\u2060é1" is not a device id: it holds the invisible character U+2060 at position 2: remove it`},
		// cat of two devices -o csv files, the second written by
		// PowerShell 5.1's Out-File -Encoding utf8: refused as the same
		// files without the mark are, before anything is sent.
		{name: "second export after a byte order mark", in: export + "\uFEFF" + export, wantErr: `ids.txt:4: "id,serialNumber,productKey,modelName,oemManufacturerName,upl..." is a header row, but only the first row may be one: remove this row`},
		{name: "second one-column header after a byte order mark", in: "id\n" + devA + "\n\uFEFFid\n" + devB + "\n", wantErr: `ids.txt:3: "id" is a header row, but only the first row may be one: remove this row`},
		{name: "header only", in: "id,serialNumber\n", wantErr: "ids.txt: no device ids (one id per line, or CSV with the id first; blank lines and # comments are skipped)"},
		{name: "unclosed quote", in: "\"" + devA + "\n", wantErr: `ids.txt:1: a quoted field is not closed properly: end it with '"' before the next comma or line end`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseIDs(strings.NewReader(tt.in), "ids.txt", deviceIDs)
			if tt.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\nwant usage error %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParseDeviceIDs: whatever the file holds, the reader either returns
// distinct ids that pass the device id check or a usage error, and never
// panics.
func FuzzParseDeviceIDs(f *testing.F) {
	f.Add(devA + "\n" + devB + "\n")
	f.Add("id,serialNumber\n" + devA + ",\"a\nb\"\n")
	f.Add(string(utf16Bytes("id\r\n"+devA+"\r\n", binary.LittleEndian, true)))
	f.Add("# c\n\"" + devA + "\"# x\n;\x00")
	f.Add("id\n" + devA + "\n\uFEFFid\n" + devB + "\n")
	f.Add("id\nd1\nd1\u200b\n")
	f.Add("\uFEFF\uFEFFd1\rd2\r")
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := parseIDs(strings.NewReader(in), "f", deviceIDs)
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("want a one-line usage error, got %q", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			k := strings.ToLower(id)
			if idProblem(id) != "" || seen[k] {
				t.Fatalf("bad or repeated id %q in %q", id, ids)
			}
			seen[k] = true
		}
		if len(ids) == 0 {
			t.Fatal("no ids and no error")
		}
	})
}

// TestAssignProfileDevicesFile: what 'devices -o csv' writes, in UTF-8 or
// re-encoded as PowerShell 5.1's > does, assigns the profile to exactly
// the listed devices; a bad file, --profile or --device is refused with one
// line naming what to fix, before anything is sent.
func TestAssignProfileDevicesFile(t *testing.T) {
	t.Parallel()
	const profile = "019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e"
	code, export, errOut := runApp(t, nil, "", nil, "devices", "--sandbox", "--customer", docCustomer, "--batch", "Test batch", "-o", "csv")
	if code != exitOK || !strings.HasPrefix(export, "id,serialNumber,") {
		t.Fatalf("devices -o csv: exit %d\n%s\n%s", code, export, errOut)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, path := range map[string]string{
		"utf-8":           write("ids.txt", []byte(export)),
		"utf-16 le, crlf": write("ids16.txt", utf16Bytes(strings.ReplaceAll(export, "\n", "\r\n"), binary.LittleEndian, true)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runApp(t, nil, "", []appOption{withTransport(newRecording(t, false))},
				"assign-profile", "--sandbox", "--customer", docCustomer, "--profile", profile, "--devices-file", path, "--wait", "-o", "jsonl")
			// The sandbox answers an id it does not know with a failed
			// device (DeviceNotFound) and exit 1: a header sent as an id
			// would show here.
			if code != exitOK || strings.Count(out, `"status":"success"`) != strings.Count(export, "\n")-1 || strings.Contains(out, "DeviceNotFound") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}

	bad := write("bad.csv", []byte("id;serialNumber\n"+devA+";2R9\n"))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--devices-file", bad}, bad + `:1: "id;serialNumber" is not a device id: it holds ';'`},
		{[]string{"--devices-file", write("nul.txt", []byte(devA+"\x00\n"))}, `is not a device id: it holds the control character U+0000`},
		{[]string{"--devices-file", write("none.csv", []byte("id,serialNumber\n"))}, "none.csv: no device ids"},
		{[]string{"--device", "id,serialNumber"}, `--device "id,serialNumber" is not a device id: it holds ','`},
		{[]string{"--device", devA + "\x00"}, `is not a device id: it holds the control character U+0000`},
		{[]string{"--device", ""}, `--device "" is not a device id: it is empty`},
		{[]string{"--device", devA, "--profile", "019bb3f6 3a5e"}, `--profile "019bb3f6 3a5e" is not a profile id: it holds a space or tab`},
	} {
		args := append([]string{"assign-profile", "--customer", docCustomer, "--profile", profile}, tt.args...)
		rec := newRecording(t, true)
		code, _, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", []appOption{withTransport(rec)}, args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
		if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) > 2 {
			t.Errorf("%q: more than a line and the help hint:\n%s", tt.args, errOut)
		}
		if s := rec.sent(); len(s) != 0 {
			t.Errorf("%q: requests sent: %v", tt.args, s)
		}
	}
}

// TestUploadCSVStdin: --csv - reads the Autopilot CSV from stdin, like
// --customers-file - and --devices-file -.
func TestUploadCSVStdin(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"utf-8":     string(b),
		"utf-16 le": string(utf16Bytes(string(b), binary.LittleEndian, true)),
	} {
		code, out, errOut := runApp(t, nil, in, nil, "upload", "--customer", docCustomer, "--batch", "Dry", "--csv", "-", "--dry-run")
		if code != exitOK || !strings.Contains(out, `"batchId": "Dry"`) || !strings.Contains(out, `"serialNumber"`) {
			t.Errorf("%s: exit %d\n%s\n%s", name, code, out, errOut)
		}
	}
	code, _, errOut := runApp(t, nil, "Device Serial Number,Windows Product ID,Hardware Hash\n", nil, "upload", "--customer", docCustomer, "--batch", "Dry", "--csv", "-", "--dry-run")
	if code != exitUsage || !strings.Contains(errOut, "stdin") {
		t.Errorf("empty stdin file: exit %d\n%s", code, errOut)
	}
}

// TestListCustomersFileUTF16: customers -o csv | iconv -t utf-16 reads back
// into --customers-file.
func TestListCustomersFileUTF16(t *testing.T) {
	t.Parallel()
	code, export, errOut := runApp(t, nil, "", nil, "customers", "--sandbox", "-o", "csv")
	if code != exitOK || !strings.HasPrefix(export, "id,companyName,domain,relationshipToPartner\n") {
		t.Fatalf("customers -o csv: exit %d\n%s\n%s", code, export, errOut)
	}
	path := filepath.Join(t.TempDir(), "c16.csv")
	if err := os.WriteFile(path, utf16Bytes(export, binary.LittleEndian, true), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runApp(t, nil, "", nil, "list", "--sandbox", "--customers-file", path, "-o", "jsonl", "--include-empty")
	if code != exitOK || out == "" {
		t.Fatalf("list --customers-file (UTF-16): exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestLocalFileErrorsAreUsage: a directory, or a file that cannot be read,
// given to --customers-file, --devices-file or --csv is the user's to fix:
// exit 2, one line naming the flag, nothing sent.
func TestLocalFileErrorsAreUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := untouched(t)
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--customers-file", dir}, "--customers-file " + dir + " is a directory: give a file"},
		{[]string{"assign-profile", "--customer", testCustomer, "--profile", "p", "--devices-file", dir}, "--devices-file " + dir + " is a directory: give a file"},
		{[]string{"upload", "--customer", testCustomer, "--batch", "B", "--csv", dir, "--dry-run"}, "--csv " + dir + " is a directory: give a file"},
	} {
		code, out, errOut := runCLI(t, env, tt.args...)
		if first, _, _ := strings.Cut(errOut, "\n"); code != exitUsage || out != "" || first != "devicebatches: "+tt.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, out, errOut, tt.want)
		}
	}
	// stdin that fails part way.
	var out, errb bytes.Buffer
	a := newApp(streams{in: iotest.ErrReader(errors.New("input/output error")), out: &out, err: &errb}, envFrom(env))
	code := a.execute(t.Context(), []string{"list", "--customers-file", "-"})
	if first, _, _ := strings.Cut(errb.String(), "\n"); code != exitUsage || first != "devicebatches: --customers-file: reading stdin: input/output error" {
		t.Errorf("stdin read error: exit %d, stderr %q", code, errb.String())
	}
}

// TestCustomerIDInvisible: a customer id that looks right but holds an
// invisible character says which and where, not only that it is no GUID.
func TestCustomerIDInvisible(t *testing.T) {
	t.Parallel()
	_, err := parseIDs(strings.NewReader("\u200b"+devA+"\n"), "ids.txt", customerIDs)
	want := `ids.txt:1: "\u200b` + devA + `" is not a customer tenant id: it holds the invisible character U+200B at position 1: remove it`
	var ue *usageError
	if !errors.As(err, &ue) || err.Error() != want {
		t.Fatalf("err = %v\nwant usage error %s", err, want)
	}
}
