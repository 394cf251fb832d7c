package main

import (
	"bufio"
	"io"
	"iter"

	"github.com/partnercenter-go/devicebatches/internal/jsonout"
)

// writeJSONLines prints items, each the service's own JSON for one item,
// one per line with insignificant white space removed (json.Compact's
// output, nothing else changed): the format for jq and line-oriented
// tools. Lines are printed as items arrive, through one 64 KiB buffer; a
// listing that fails part way keeps the complete lines printed before it.
func writeJSONLines(w io.Writer, items iter.Seq2[[]byte, error]) error {
	defer streamingGC()()
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	for raw, ierr := range items {
		if ierr != nil {
			err = ierr
			break
		}
		b := bw.AvailableBuffer()
		if b, err = jsonout.AppendCompact(b, raw); err != nil {
			break
		}
		bw.Write(append(b, '\n'))
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// flush sends what w buffers on to the terminal or pipe, for output a
// reader waits for before the command ends (stdout is buffered, see
// app.execute); a write error shows again at the final flush.
func flush(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}
