package main

import (
	"bufio"
	"bytes"
	"testing"
)

// TestTableInvisibleCharacters: an invisible format character in a
// service's value is shown escaped, so "S1\u200b" cannot pass for "S1",
// and counted as the escape's width; a joiner inside an emoji sequence is
// kept, and the sequence counted as the two columns a terminal draws it
// in. The columns after either stay aligned.
func TestTableInvisibleCharacters(t *testing.T) {
	lines := []string{
		"SERIAL\tCOMPANY\tDEVICES",
		cell("S1") + "\t" + cell("Contoso") + "\t" + cell("5"),
		cell("S1\u200b") + "\t" + cell("👨\u200d👩\u200d👧 Family") + "\t" + cell("7"),
		cell("\ufeffS2") + "\t" + cell("日本\u200bマイクロ") + "\t" + cell("9"),
	}
	// COMPANY is 18 columns wide: 日本 4, \u200b 6, マイクロ 8; the
	// family emoji is 2.
	want := "SERIAL    COMPANY             DEVICES\n" +
		"S1        Contoso             5\n" +
		"S1\\u200b  👨\u200d👩\u200d👧 Family           7\n" +
		"\\ufeffS2  日本\\u200bマイクロ  9\n"
	rows := newTableRows()
	for _, l := range lines {
		rows.add(l)
	}
	var got bytes.Buffer
	bw := bufio.NewWriter(&got)
	if err := rows.writeTo(bw); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	if got.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
	}
}
