package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
)

// jqFilter is --jq: a jq expression applied to a command's JSON output, as
// gh does, so scripts need no jq binary. Strings print raw; every other
// result prints as one line of compact JSON.
type jqFilter struct {
	expr  string
	code  *gojq.Code
	out   io.Writer     // the real stdout
	input *bytes.Buffer // the command's JSON output, filtered at the end
	lines bool          // -o jsonl: the filter runs on each object
}

// parseJQ compiles expr; a bad expression is a usage error naming where
// it went wrong.
func parseJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		var pe *gojq.ParseError
		if errors.As(err, &pe) {
			return nil, usagef("--jq %q: %s at position %d: check the expression's syntax", expr, pe.Error(), pe.Offset+1)
		}
		return nil, usagef("--jq %q: %s", expr, oneLine(err.Error()))
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, usagef("--jq %q: %s", expr, oneLine(err.Error()))
	}
	return code, nil
}

// setupJQ runs before a command when --jq is set: the command must write
// JSON (-o json is chosen when -o was not given; another explicit format is
// a usage error), and its output is collected for the filter.
func (a *app) setupJQ(cmd *cobra.Command) error {
	if f := cmd.Flag("jq"); f != nil && f.Changed && strings.TrimSpace(a.flags.jq) == "" {
		// Ignoring it would print a table to a script that asked for JSON.
		return usagef("--jq is empty: give a jq expression, such as '.[].id', or leave --jq out")
	}
	if a.flags.jq == "" {
		return nil
	}
	code, err := parseJQ(a.flags.jq)
	if err != nil {
		return err
	}
	o := cmd.Flags().Lookup("output")
	if o == nil {
		return usagef("--jq applies to commands that print JSON (-o json); %q prints none", cmd.CommandPath())
	}
	switch {
	case !o.Changed:
		if err := o.Value.Set("json"); err != nil {
			return usagef("--jq: %s prints no JSON", cmd.CommandPath())
		}
	case o.Value.String() != "json" && o.Value.String() != "jsonl":
		return usagef("--jq filters JSON: use it with -o json or -o jsonl, not -o %s", o.Value.String())
	}
	a.jq = &jqFilter{expr: a.flags.jq, code: code, out: a.io.out, input: &bytes.Buffer{}, lines: o.Value.String() == "jsonl"}
	a.io.out = a.jq.input
	return nil
}

// finish runs the filter over every JSON value the command printed (one
// array for -o json, one value per line for -o jsonl) and prints the
// results. A runtime error of the expression (such as .[] on a string, or
// error("...")) exits 1, as in gh: the requests have run and the input
// was valid, so it is no usage error (exit 2 means nothing was sent). The
// results before it are printed, as jq prints them.
// jqGrace bounds filtering the partial output of a command cut short.
const jqGrace = 10 * time.Second

func (f *jqFilter) finish(ctx context.Context) error {
	if ctx.Err() != nil {
		// Cut short (Ctrl-C, --timeout): the partial output (the tracking
		// id of an upload whose wait was interrupted, the customers
		// fetched before) is still filtered and printed, for a bounded
		// time, as a second Ctrl-C ends the process at once.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), jqGrace)
		defer cancel()
	}
	w := bufio.NewWriterSize(f.out, 64<<10)
	defer w.Flush()
	dec := json.NewDecoder(f.input)
	dec.UseNumber()
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("--jq: the command's output is not JSON: %w", err)
		}
		iter := f.code.RunWithContext(ctx, normalize(v))
		for {
			r, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := r.(error); ok {
				var he *gojq.HaltError
				if errors.As(err, &he) && he.Value() == nil {
					return nil
				}
				return f.runtimeError(err)
			}
			if s, ok := r.(string); ok {
				w.WriteString(s)
				w.WriteByte('\n')
				continue
			}
			b, err := gojq.Marshal(r)
			if err != nil {
				return fmt.Errorf("--jq: %w", err)
			}
			w.Write(b)
			w.WriteByte('\n')
		}
	}
}

// runtimeError is the one line of an expression that failed on the
// command's output.
func (f *jqFilter) runtimeError(err error) error {
	where := "the command's JSON output"
	if f.lines {
		where = "a line of -o jsonl (it runs on each object, not on an array)"
	}
	return fmt.Errorf("--jq %q failed on %s: %s", f.expr, where, oneLine(err.Error()))
}

// normalize turns json.Number into the int or float64 gojq computes with,
// keeping integers exact.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		if b, ok := new(big.Int).SetString(x.String(), 10); ok {
			return b
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}

// filterJQ prints the --jq results of what the command wrote, also when the
// command failed after writing (an upload with failed devices still prints
// its status). The command's own error wins: a partial output that is not
// JSON then adds nothing.
func (a *app) filterJQ(ctx context.Context, err error) error {
	if a.jq == nil || (err != nil && a.jq.input.Len() == 0) {
		return err
	}
	ferr := a.jq.finish(ctx)
	if err != nil {
		return err
	}
	return ferr
}
