package autopilot

import (
	"bytes"
	"testing"
)

// benchFile builds a Get-WindowsAutopilotInfo file of n rows with distinct
// 3,968-character hashes, CRLF line ends (as PowerShell writes them).
func benchFile(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 4000)
	b.WriteString(infoHeader + "\r\n")
	for i := 0; i < n; i++ {
		b.WriteString("PF")
		b.WriteString(itoa(1000000 + i))
		b.WriteString(",,")
		b.WriteString(fakeHash(i))
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func BenchmarkRead100k(b *testing.B) {
	const rows = 100_000
	in := benchFile(rows)
	// 100,000 rows of 4K hashes are ~400 MB.
	opts := (*ReadOptions)(nil) // the defaults must hold a 100,000-row file
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := Read(bytes.NewReader(in), opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Devices) != rows {
			b.Fatalf("%d devices", len(f.Devices))
		}
	}
	b.ReportMetric(float64(len(in))/1e6, "input-MB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}

// BenchmarkRead10kUTF16 reads what Windows PowerShell 5.1 writes: UTF-16 LE
// with a byte order mark, 10,000 rows (~80 MB).
func BenchmarkRead10kUTF16(b *testing.B) {
	const rows = 10_000
	in := utf16LE(string(benchFile(rows)), true)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := Read(bytes.NewReader(in), nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Devices) != rows {
			b.Fatalf("%d devices", len(f.Devices))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
