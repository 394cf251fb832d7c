// Package autopilot reads and checks the Windows Autopilot hardware-hash CSV
// files that partners upload to Partner Center, and returns the devices they
// describe, ready for Partner Center's zero-touch calls
// POST /v1/customers/{customer-id}/deviceBatches (create a batch with devices)
// and POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices (add
// devices to a batch). It does no network I/O.
//
// # Layouts
//
// The first non-blank line is the header. Header names are matched without
// regard to case or surrounding spaces, and columns may come in any order.
// Recognised columns and the Partner Center device field each one fills:
//
//	Device Serial Number  serialNumber
//	Windows Product ID    productKey
//	Hardware Hash         hardwareHash
//	Manufacturer name     oemManufacturerName
//	Device model          modelName
//
// This covers the layouts in use: Get-WindowsAutopilotInfo's default
// (Device Serial Number,Windows Product ID,Hardware Hash), the same with
// Group Tag and Assigned User, Get-WindowsAutopilotInfo -Partner (the default
// plus Manufacturer name,Device model) and the Partner Center dashboard's
// template (the same five columns with other capitalisation). Group Tag and
// Assigned User are not taken by Partner Center: they are ignored with one
// warning per file. Any other column is ignored with a warning. A header
// whose columns cannot identify a device (see Device identity: a Hardware
// Hash column alone is enough), or with the same column twice, is an error.
//
// # Encodings
//
// UTF-8 with or without a byte order mark, and UTF-16 little- or big-endian
// (Windows PowerShell 5.1 writes UTF-16 LE with a byte order mark; UTF-16
// without one is recognised from the header's zero bytes). Lines may end in
// CRLF, LF or a lone CR (old Mac), and a byte order mark starting a line
// (two files joined) is skipped. Values may be quoted as RFC 4180 describes. Surrounding spaces
// are trimmed, blank lines are skipped, and an empty cell means the value is
// absent (it is never sent as an empty string).
//
// # Device identity
//
// Partner Center identifies a device in one of three ways, and every row must
// satisfy at least one of them:
//
//  1. a hardware hash, alone or with a serial number and/or a product key
//     (Windows Product ID; Partner Center's reference lists "HardwareHash
//     only" among the accepted combinations);
//  2. a product key alone;
//  3. a serial number, manufacturer name and device model together (the
//     "tuple"; the names are compared exactly, as the OEM gives them).
//
// Values are checked too: a hardware hash must be standard base64 (padding
// optional) of at least 100 characters (a real one is about 4,000), a
// Windows Product ID holds only letters, digits and dashes, no cell may hold
// control characters, invisible format characters (Unicode category Cf:
// a zero-width space or joiner, a byte order mark), invalid UTF-8 or more
// than 16 KiB. A file must not list
// the same hardware hash, Windows Product ID (compared without regard to
// case) or serial number + manufacturer + model twice.
//
// # Errors
//
// Read checks the whole file and reports every problem at once (up to
// ReadOptions.MaxProblems) in a *ValidationError; it returns devices only
// when the whole file is valid. Rows are numbered as a person counts lines in
// the file: the header is row 1. Exceeding ReadOptions.MaxBytes or
// ReadOptions.MaxRows stops the reading with an error wrapping ErrLimit. A
// record (a line, or the lines a quoted value spans) longer than 1 MiB,
// such as one whose quoted value is never closed, stops it with a
// *ValidationError naming its row, so memory stays about 1.2 times the
// valid part of the file.
package autopilot
