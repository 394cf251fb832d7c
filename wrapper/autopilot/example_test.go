package autopilot_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/partnercenter-go/devicebatches/wrapper/autopilot"
)

func ExampleRead() {
	// What Get-WindowsAutopilotInfo writes, shortened: real hashes are about
	// 4,000 characters.
	hash := strings.Repeat("T0GlAwEAHAAAAAoA", 8)
	csv := "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n" +
		"PF3ZK1A0,," + hash + ",Sales\r\n" +
		"PF3ZK1B7,00330-80000-00000-AA123,,Sales\r\n"

	f, err := autopilot.Read(strings.NewReader(csv), &autopilot.ReadOptions{Name: "devices.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("layout:", f.Layout)
	for _, w := range f.Warnings {
		fmt.Println("warning:", w)
	}
	for _, d := range f.Devices {
		fmt.Printf("row %d: serial %q, product key %q, %d-character hash\n", d.Row, d.SerialNumber, d.ProductKey, len(d.HardwareHash))
	}
	// Output:
	// layout: Get-WindowsAutopilotInfo with Group Tag
	// warning: the Group Tag column is ignored: Partner Center does not take it (set it in Intune instead)
	// row 2: serial "PF3ZK1A0", product key "", 128-character hash
	// row 3: serial "PF3ZK1B7", product key "00330-80000-00000-AA123", 0-character hash
}

func ExampleValidationError() {
	hash := strings.Repeat("T0GlAwEAHAAAAAoA", 8)
	csv := "Device Serial Number,Windows Product ID,Hardware Hash\n" +
		"PF3ZK1A0,," + hash + "\n" +
		"PF3ZK1B7,,\n" +
		"PF3ZK1C2,," + hash + "\n"

	_, err := autopilot.Read(strings.NewReader(csv), &autopilot.ReadOptions{Name: "devices.csv"})
	var ve *autopilot.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Details())
	}
	// Output:
	// devices.csv: 2 problems
	//   row 3: a serial number alone does not identify a device; fill in the Hardware Hash
	//   row 4: same hardware hash as row 2; remove one of the two lines (Partner Center rejects a hash uploaded twice)
}
