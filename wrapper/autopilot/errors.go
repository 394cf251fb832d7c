package autopilot

import (
	"errors"
	"strconv"
	"strings"
)

// ErrLimit is wrapped by the error Read returns when the input exceeds
// ReadOptions.MaxBytes or ReadOptions.MaxRows; the error's text names the
// limit. Test for it with errors.Is.
var ErrLimit = errors.New("autopilot: limit exceeded")

// Problem is one thing wrong in a CSV file.
type Problem struct {
	// Row is the line of the file the problem is on, counted from 1 (the
	// header is row 1; a value spanning lines is on the line it starts on).
	// Zero means the problem concerns the whole file.
	Row int
	// Column is the header of the column concerned, as the file spells it,
	// or "" when the problem concerns a whole row or the file.
	Column string
	// Message says what is wrong and how to fix it, in one sentence meant to
	// follow "row N: ".
	Message string
}

// String returns the problem as "row N: message", or just the message for a
// problem with the whole file.
func (p Problem) String() string {
	if p.Row <= 0 {
		return p.Message
	}
	return "row " + strconv.Itoa(p.Row) + ": " + p.Message
}

// ValidationError is the error Read returns when a file is not fit for upload.
// No device of such a file is returned: fix the file and read it again.
type ValidationError struct {
	// Name is ReadOptions.Name (ReadFile defaults it to the file's base name).
	Name string
	// Problems lists what is wrong, in file order, at most
	// ReadOptions.MaxProblems of them.
	Problems []Problem
	// More counts the problems found beyond the cap on Problems.
	More int
	// Warnings are what Read would have returned in File.Warnings.
	Warnings []string
}

// summaryProblems is how many problems Error spells out.
const summaryProblems = 3

// Count returns the number of problems found, including those beyond the cap.
func (e *ValidationError) Count() int { return len(e.Problems) + e.More }

// Error returns a one-line summary: the file name, the number of problems
// and the first few of them. Details lists all of them.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.header())
	for i, p := range e.Problems {
		if i == summaryProblems {
			b.WriteString("; and ")
			b.WriteString(strconv.Itoa(e.Count() - summaryProblems))
			b.WriteString(" more")
			return b.String()
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		b.WriteString("; and ")
		b.WriteString(strconv.Itoa(e.More))
		b.WriteString(" more")
	}
	return b.String()
}

// Details returns a multi-line report: a summary line, then one indented line
// per problem, then "and N more problems" when the cap was reached. It does
// not end in a newline.
func (e *ValidationError) Details() string {
	var b strings.Builder
	b.WriteString(e.header())
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	if e.More > 0 {
		b.WriteString("\n  and ")
		b.WriteString(plural(e.More, "more problem", "more problems"))
	}
	return b.String()
}

func (e *ValidationError) header() string {
	name := e.Name
	if name == "" {
		name = "Autopilot CSV"
	}
	return name + ": " + plural(e.Count(), "problem", "problems")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
