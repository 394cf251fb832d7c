package pcjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"
)

// collectionStd is Collection as it was on encoding/json's token stream
// before the jx decoder (commit c453250), kept for the before/after
// benchmark. It reads a Partner Center collection ({"items": [...], "links":
// {...}, "continuationToken": ...}) from r as a stream: each item is decoded
// and handed to each as it arrives, so memory holds one item and a read
// buffer, never the page. With wantRaw, each also gets the item's JSON as
// sent (valid until each returns). valid checks what the document requires
// of an item. Keys match case-insensitively, like encoding/json; unknown
// properties are skipped; "items" must be present and an array.
func collectionStd[T, L any](r io.Reader, wantRaw bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	var p Page[L]
	dec := json.NewDecoder(r)
	if err := expectDelimStd(dec, '{'); err != nil {
		return p, err
	}
	sawItems := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return p, err
		}
		key, _ := t.(string)
		switch {
		case strings.EqualFold(key, "items"):
			if sawItems {
				return p, errors.New(`the collection has "items" twice`)
			}
			sawItems = true
			if err := decodeItemsStd(dec, wantRaw, valid, each); err != nil {
				return p, err
			}
		case strings.EqualFold(key, "links"):
			if err := dec.Decode(&p.Links); err != nil {
				return p, fmt.Errorf("links: %w", err)
			}
		case strings.EqualFold(key, "continuationToken"):
			var s *string
			if err := dec.Decode(&s); err != nil {
				return p, fmt.Errorf("continuationToken: %w", err)
			}
			if s != nil {
				p.ContinuationToken = *s
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return p, err
			}
		}
	}
	if err := expectDelimStd(dec, '}'); err != nil {
		return p, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return p, errors.New("unexpected data after the collection")
		}
		return p, err
	}
	if !sawItems {
		return p, errors.New(`the collection has no "items" array, which the contract requires`)
	}
	return p, nil
}

func decodeItemsStd[T any](dec *json.Decoder, wantRaw bool, valid func(*T) error, each func(*T, []byte) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf(`"items" is %s, not an array`, tokenTextStd(t))
	}
	var raw json.RawMessage
	for i := 0; dec.More(); i++ {
		var item T
		if wantRaw {
			raw = raw[:0]
			if err = dec.Decode(&raw); err == nil {
				err = json.Unmarshal(raw, &item)
			}
		} else {
			err = dec.Decode(&item)
		}
		if err == nil {
			err = valid(&item)
		}
		if err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		if err := each(&item, raw); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

func expectDelimStd(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %s", want, tokenTextStd(t))
	}
	return nil
}

func tokenTextStd(t json.Token) string {
	if t == nil {
		return "null"
	}
	if s, ok := t.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(t)
}

// BenchmarkCollection: the decoding seam on 100,000 batches, typed
// (-o table, iterators: raw=false) and raw-only (-o json: raw=true), as it
// was on encoding/json's tokens (impl=encoding-json, c453250), on jx's
// streaming decoder (impl=jx, 09be617, kept as collectionJX) and as it is
// (impl=scan: items cut and scanned in place); -limits with the wrapper's
// default limits (1 MiB strings, a million items), which the CLI pays.
func BenchmarkCollection(b *testing.B) {
	const n = 100_000
	valid := func(*generated.DeviceBatch) error { return nil }
	defaults := Limits{MaxString: 1 << 20, MaxItems: 1_000_000}
	for _, raw := range []bool{false, true} {
		for _, impl := range []struct {
			name string
			run  func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error
		}{
			{"encoding-json", func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error {
				_, err := collectionStd[generated.DeviceBatch, generated.ResourceLinks](r, raw, valid, each)
				return err
			}},
			{"jx", func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error {
				_, err := collectionJX[generated.DeviceBatch, generated.ResourceLinks](r, Limits{}, raw, valid, each)
				return err
			}},
			{"jx-limits", func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error {
				_, err := collectionJX[generated.DeviceBatch, generated.ResourceLinks](r, defaults, raw, valid, each)
				return err
			}},
			{"scan", func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error {
				_, err := Collection[generated.DeviceBatch, generated.ResourceLinks](r, Limits{}, raw, valid, each)
				return err
			}},
			{"scan-limits", func(r io.Reader, each func(*generated.DeviceBatch, []byte) error) error {
				_, err := Collection[generated.DeviceBatch, generated.ResourceLinks](r, defaults, raw, valid, each)
				return err
			}},
		} {
			b.Run(fmt.Sprintf("n=%d/raw=%v/impl=%s", n, raw, impl.name), func(b *testing.B) {
				b.SetBytes(int64(len(drain(fixtures.Batches(n)))))
				for b.Loop() {
					count := 0
					if err := impl.run(fixtures.Batches(n), func(*generated.DeviceBatch, []byte) error { count++; return nil }); err != nil || count != n {
						b.Fatal(err, count)
					}
				}
			})
		}
	}
}

func drain(r io.Reader) []byte { b, _ := io.ReadAll(r); return b }

// BenchmarkBatchesReader: the 100,000-batch body generator alone, read
// as the decoders read it, which every BenchmarkCollection figure
// includes (its time, and its three allocations per batch).
func BenchmarkBatchesReader(b *testing.B) {
	buf := make([]byte, window)
	for b.Loop() {
		r := fixtures.Batches(100_000)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkLimitStrings: the string-limit scan alone over the 100,000-batch
// page, as the decoder reads it (64 KiB reads).
func BenchmarkLimitStrings(b *testing.B) {
	body := drain(fixtures.Batches(100_000))
	buf := make([]byte, window)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r := LimitStrings(bytes.NewReader(body), 1<<20)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
