package autopilot

import (
	"strings"
)

// Layout names the set of columns Read recognised in a file's header.
type Layout int

// The layouts Read recognises. Columns may come in any order and unknown
// columns do not change the layout.
const (
	// LayoutOther is any other combination of recognised columns, such as
	// Windows Product ID alone.
	LayoutOther Layout = iota
	// LayoutAutopilotInfo is Get-WindowsAutopilotInfo's default:
	// Device Serial Number,Windows Product ID,Hardware Hash.
	LayoutAutopilotInfo
	// LayoutAutopilotInfoGroupTag is LayoutAutopilotInfo plus Group Tag
	// and/or Assigned User, which are ignored.
	LayoutAutopilotInfoGroupTag
	// LayoutPartner is Get-WindowsAutopilotInfo -Partner:
	// Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model.
	LayoutPartner
	// LayoutTemplate is the Partner Center dashboard's template:
	// Device serial number,Windows product ID,Hardware hash,Manufacturer name,Device Model.
	LayoutTemplate
)

// String names the layout for people.
func (l Layout) String() string {
	switch l {
	case LayoutAutopilotInfo:
		return "Get-WindowsAutopilotInfo"
	case LayoutAutopilotInfoGroupTag:
		return "Get-WindowsAutopilotInfo with Group Tag"
	case LayoutPartner:
		return "Get-WindowsAutopilotInfo -Partner"
	case LayoutTemplate:
		return "Partner Center template"
	}
	return "other"
}

type field int

const (
	fieldIgnored field = iota // unknown, or known and not taken
	fieldSerial
	fieldProductKey
	fieldHash
	fieldManufacturer
	fieldModel
	numFields
)

// canonical header names, lower case, and the field each fills.
var headerFields = map[string]field{
	"device serial number": fieldSerial,
	"windows product id":   fieldProductKey,
	"hardware hash":        fieldHash,
	"manufacturer name":    fieldManufacturer,
	"device model":         fieldModel,
	"group tag":            fieldIgnored,
	"assigned user":        fieldIgnored,
}

// fieldNames are the names used in messages.
var fieldNames = [numFields]string{
	fieldSerial:       "Device Serial Number",
	fieldProductKey:   "Windows Product ID",
	fieldHash:         "Hardware Hash",
	fieldManufacturer: "Manufacturer name",
	fieldModel:        "Device model",
}

type header struct {
	fields []field           // per column
	names  []string          // per column, as the file spells it (trimmed)
	has    [numFields]bool   // which fields have a column
	col    [numFields]string // the file's spelling of each present field
	layout Layout
}

// readHeader interprets the header record; it reports false when the header
// makes reading the rows pointless.
func (rd *reader) readHeader(line int, rec []string) bool {
	h := &rd.header
	h.fields = make([]field, len(rec))
	h.names = make([]string, len(rec))
	seen := map[string]int{}
	var notTaken, unknown []string
	ok := true
	for i, cell := range rec {
		name := strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF"))
		h.names[i] = name
		key := strings.ToLower(name)
		if key == "" {
			unknown = append(unknown, "column "+itoa(i+1)+" (no name)")
			continue
		}
		if first, dup := seen[key]; dup {
			rd.add(line, name, "the header has the column %q twice (columns %d and %d); remove or rename one of them", name, first+1, i+1)
			ok = false
			continue
		}
		seen[key] = i
		f, known := headerFields[key]
		switch {
		case !known:
			unknown = append(unknown, quote(name))
		case f == fieldIgnored:
			notTaken = append(notTaken, name)
		default:
			h.fields[i] = f
			h.has[f] = true
			h.col[f] = name
		}
	}
	if len(notTaken) > 0 {
		rd.warnings = append(rd.warnings, "the "+list(notTaken)+" "+plural1(len(notTaken), "column is", "columns are")+
			" ignored: Partner Center does not take "+plural1(len(notTaken), "it", "them")+" (set "+plural1(len(notTaken), "it", "them")+" in Intune instead)")
	}
	if len(unknown) > 0 {
		rd.warnings = append(rd.warnings, plural1(len(unknown), "column ", "columns ")+list(unknown)+" "+
			plural1(len(unknown), "is not a column Partner Center takes and is", "are not columns Partner Center takes and are")+" ignored")
	}
	if !ok {
		return false
	}
	has := h.has
	switch {
	case !has[fieldSerial] && !has[fieldProductKey] && !has[fieldHash] && semicolons(rec):
		rd.add(line, "", "the header separates its columns with semicolons (;), as Excel does in some regions; save the file with commas between values")
		return false
	case !has[fieldSerial] && !has[fieldProductKey] && !has[fieldHash]:
		rd.add(line, "", "the header has none of the columns Device Serial Number, Windows Product ID and Hardware Hash; "+
			"start the file with a header line such as \"Device Serial Number,Windows Product ID,Hardware Hash\"")
		return false
	case !has[fieldProductKey] && !has[fieldHash] &&
		!(has[fieldSerial] && has[fieldManufacturer] && has[fieldModel]):
		// A hardware hash identifies a device alone (row.go's checkIdentity).
		rd.add(line, "", "the header's columns cannot identify a device; add a Hardware Hash column, "+
			"a Windows Product ID column, or Manufacturer name and Device model columns")
		return false
	}
	switch {
	case has[fieldSerial] && has[fieldProductKey] && has[fieldHash] && has[fieldManufacturer] && has[fieldModel]:
		h.layout = LayoutPartner
		if h.col[fieldSerial] == "Device serial number" {
			h.layout = LayoutTemplate
		}
	case has[fieldSerial] && has[fieldProductKey] && has[fieldHash] && !has[fieldManufacturer] && !has[fieldModel]:
		h.layout = LayoutAutopilotInfo
		if len(notTaken) > 0 {
			h.layout = LayoutAutopilotInfoGroupTag
		}
	default:
		h.layout = LayoutOther
	}
	return true
}

func plural1(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list joins names as "a", "a and b" or "a, b and c".
func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// semicolons reports whether a header that matched nothing would match when
// split on semicolons.
func semicolons(rec []string) bool {
	for _, cell := range rec {
		if !strings.Contains(cell, ";") {
			continue
		}
		for _, name := range strings.Split(cell, ";") {
			key := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))
			if f, ok := headerFields[key]; ok && f != fieldIgnored {
				return true
			}
		}
	}
	return false
}

// repeatsHeader reports whether a data record is the header again, as when
// two files are joined.
func (h *header) repeatsHeader(rec []string) bool {
	if len(rec) < len(h.names) {
		return false
	}
	for i, name := range h.names {
		if !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[i], "\uFEFF")), name) {
			return false
		}
	}
	return true
}
