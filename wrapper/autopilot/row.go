package autopilot

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinHashLength is the fewest base64 characters accepted as a hardware
// hash; a real one is about 4,000.
const MinHashLength = 100

func itoa(n int) string { return strconv.Itoa(n) }

// quote shows a name from the file in a message, escaping what cannot be
// printed.
func quote(s string) string { return strconv.Quote(s) }

// row checks one data record and returns its device when it is valid.
func (rd *reader) row(line int, rec []string) (Device, bool) {
	h := &rd.header
	if h.repeatsHeader(rec) {
		rd.add(line, "", "this line repeats the header (were two files joined?); remove it")
		return Device{}, false
	}
	d := Device{Row: line}
	ok := true
	extra := false
	for i, cell := range rec {
		if i >= len(h.fields) {
			if strings.TrimSpace(cell) != "" {
				extra = true
			}
			continue
		}
		f := h.fields[i]
		if f == fieldIgnored {
			continue
		}
		v := strings.TrimSpace(cell)
		if v == "" {
			continue
		}
		if !rd.checkValue(line, h.names[i], f, v) {
			ok = false
		}
		switch f {
		case fieldSerial:
			d.SerialNumber = v
		case fieldProductKey:
			d.ProductKey = v
		case fieldHash:
			d.HardwareHash = v
		case fieldManufacturer:
			d.ManufacturerName = v
		case fieldModel:
			d.ModelName = v
		}
	}
	if extra {
		rd.add(line, "", "the line has more values than the header has columns; remove the extra values, or quote a value that contains a comma")
		ok = false
	}
	if !rd.checkIdentity(line, &d) {
		return Device{}, false
	}
	if !rd.checkDuplicates(line, &d) {
		ok = false
	}
	return d, ok
}

// checkValue checks one non-empty, trimmed value.
func (rd *reader) checkValue(line int, column string, f field, v string) bool {
	if len(v) > MaxCellBytes {
		rd.add(line, column, "the %s value is %d bytes long, more than the %d KiB a value may hold; check that the line holds one device and that no quote is left open",
			fieldNames[f], len(v), MaxCellBytes>>10)
		return false
	}
	if f == fieldHash {
		bad, why := checkBase64(v)
		switch {
		case bad < 0 && len(v) < MinHashLength:
			rd.add(line, column, "the hardware hash is only %d characters long, too short to be a hardware hash (a real one is about 4,000); copy the complete Hardware Hash from the Get-WindowsAutopilotInfo output", len(v))
			return false
		case bad < 0:
			return true
		case v[bad] >= utf8.RuneSelf || v[bad] < ' ' || v[bad] == 0x7F:
			// Fall through to the text checks, which say what is wrong.
		default:
			rd.add(line, column, "the hardware hash is not valid base64 (%s at character %d); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output", why, bad+1)
			return false
		}
	}
	if !utf8.ValidString(v) {
		rd.add(line, column, "the %s value is not valid UTF-8 text; save the file as UTF-8 (or UTF-16, as PowerShell writes it) and try again", fieldNames[f])
		return false
	}
	pos := 0
	for _, c := range v {
		pos++
		if unicode.IsControl(c) {
			rd.add(line, column, "the %s value contains the control character %U (such as a tab or line break); remove it", fieldNames[f], c)
			return false
		}
		// A format character (zero-width space, joiner, byte order mark)
		// is invisible: "S1\u200b" looks like "S1", passes the duplicate
		// check and is another device to Partner Center.
		if unicode.Is(unicode.Cf, c) {
			rd.add(line, column, "the %s value contains the invisible character %U at position %d; remove it", fieldNames[f], c, pos)
			return false
		}
	}
	if f == fieldHash {
		// Text is valid, so checkBase64 stopped on a non-ASCII character.
		rd.add(line, column, "the hardware hash is not valid base64 (it contains %q); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output", firstNonASCII(v))
		return false
	}
	if f == fieldProductKey {
		for i := 0; i < len(v); i++ {
			if c := v[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
				rd.add(line, column, "the Windows Product ID %s may hold only letters, digits and dashes; correct it, or leave the cell empty", quote(v))
				return false
			}
		}
	}
	return true
}

func firstNonASCII(s string) string {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return string(c)
		}
	}
	return ""
}

// base64Alphabet is 1 for the characters of the standard base64 alphabet
// and 0 for every other byte.
var base64Alphabet = func() (t [256]byte) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = 1
	}
	return t
}()

// checkBase64 reports the index of the first character that makes s invalid
// standard base64 (padded or not), and why; -1 when s is valid.
func checkBase64(s string) (int, string) {
	n := len(s)
	pad := 0
	for pad < 2 && n > 0 && s[n-1] == '=' {
		n--
		pad++
	}
	i := 0
	// Eight characters per test: this loop is most of the time spent on a
	// file of 4,000-character hashes.
	for ; i+8 <= n; i += 8 {
		if base64Alphabet[s[i]]&base64Alphabet[s[i+1]]&base64Alphabet[s[i+2]]&base64Alphabet[s[i+3]]&
			base64Alphabet[s[i+4]]&base64Alphabet[s[i+5]]&base64Alphabet[s[i+6]]&base64Alphabet[s[i+7]] == 0 {
			break
		}
	}
	for ; i < n; i++ {
		if base64Alphabet[s[i]] == 0 {
			if s[i] == '=' {
				return i, "padding '=' before the end"
			}
			return i, quote(s[i:i+1]) + " is not a base64 character"
		}
	}
	switch {
	case pad > 0 && len(s)%4 != 0:
		return n, "wrong padding"
	case n%4 == 1:
		return n - 1, "a character is missing or extra"
	}
	return -1, ""
}

// checkIdentity reports whether d satisfies one of the accepted identities.
func (rd *reader) checkIdentity(line int, d *Device) bool {
	s, p, h := d.SerialNumber != "", d.ProductKey != "", d.HardwareHash != ""
	m, md := d.ManufacturerName != "", d.ModelName != ""
	if p || h || s && m && md {
		return true
	}
	has := &rd.header.has
	tuple := has[fieldManufacturer] && has[fieldModel]
	switch {
	case s && (m || md) && tuple:
		missing := "Manufacturer name"
		if m {
			missing = "Device model"
		}
		rd.add(line, "", "a serial number without a hardware hash needs both the manufacturer name and the device model; fill in the %s (or the Hardware Hash)", missing)
	case s && tuple:
		rd.add(line, "", "a serial number alone does not identify a device; fill in the Hardware Hash, or the Manufacturer name and Device model")
	case s:
		rd.add(line, "", "a serial number alone does not identify a device; fill in the Hardware Hash")
	default:
		rd.add(line, "", "the line has no serial number, Windows Product ID or hardware hash; fill in the Device Serial Number and Hardware Hash, or remove the line")
	}
	return false
}

// checkDuplicates reports whether d repeats no device of an earlier row.
func (rd *reader) checkDuplicates(line int, d *Device) bool {
	ok := true
	if d.HardwareHash != "" {
		if first, dup := rd.hashes[d.HardwareHash]; dup {
			rd.add(line, rd.header.col[fieldHash], "same hardware hash as row %d; remove one of the two lines (Partner Center rejects a hash uploaded twice)", first)
			ok = false
		} else {
			rd.hashes[d.HardwareHash] = line
		}
	}
	if d.ProductKey != "" {
		key := strings.ToUpper(d.ProductKey)
		if first, dup := rd.keys[key]; dup {
			rd.add(line, rd.header.col[fieldProductKey], "same Windows Product ID as row %d; remove one of the two lines or correct the product ID", first)
			ok = false
		} else {
			rd.keys[key] = line
		}
	}
	if d.SerialNumber != "" && d.ManufacturerName != "" && d.ModelName != "" {
		t := tuple{d.SerialNumber, d.ManufacturerName, d.ModelName}
		if first, dup := rd.tuples[t]; dup {
			rd.add(line, "", "same serial number, manufacturer name and device model as row %d; remove one of the two lines", first)
			ok = false
		} else {
			rd.tuples[t] = line
		}
	}
	return ok
}
