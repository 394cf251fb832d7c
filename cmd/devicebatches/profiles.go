package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/internal/idfile"
	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

type profilesFlags struct {
	customer string
	output   string
}

func (a *app) profilesCommand() *cobra.Command {
	var f profilesFlags
	cmd := &cobra.Command{
		Use:     "profiles --customer ID",
		Short:   "List a customer's Windows Autopilot profiles (GET /v1/customers/{customer-id}/policies)",
		Example: `  devicebatches profiles --customer 47021739-3426-40bf-9601-61b4b6d7c793`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runProfiles(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl or csv "+csvOutputHelp)
	a.addCSVSafeFlag(cmd, &f.output)
	return cmd
}

func profileRow(p wrapper.ConfigurationPolicy) string {
	return cell(p.Id) + "\t" + cell(p.Name) + "\t" + strconv.Itoa(int(p.DevicesAssigned)) + "\t" + cell(p.LastModifiedDate.Raw)
}

func (a *app) runProfiles(ctx context.Context, f profilesFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if err := checkFormat(f.output, listFormats...); err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		return listing[wrapper.ConfigurationPolicy]{
			json: client.ListConfigurationPoliciesJSON(ctx, f.customer), items: client.ListConfigurationPoliciesIter(ctx, f.customer),
			header: "ID\tNAME\tDEVICES\tMODIFIED", row: profileRow, csvHeader: profileCSVHeader, record: profileRecord,
		}.write(a.io.out, f.output, a.csvSafe)
	})
}

type assignFlags struct {
	waitFlags
	customer    string
	profile     string
	devices     []string
	devicesFile string
}

func (a *app) assignProfileCommand() *cobra.Command {
	var f assignFlags
	cmd := &cobra.Command{
		Use:   "assign-profile --customer ID --profile ID (--device ID ... | --devices-file FILE) [--wait]",
		Short: "Assign an Autopilot profile to devices (PATCH /v1/customers/{customer-id}/DevicePolicyUpdates)",
		Long: `assign-profile assigns a Windows Autopilot profile (see 'devicebatches
profiles') to devices (their ids, see 'devicebatches devices'). The tracking
id is printed; with --wait the command waits until the assignment is final
and prints one row per device (exit 1 when any device failed or the final
status does not list it).

--devices-file takes one device id per line, or a CSV file with the id in
the first column, such as 'devicebatches devices -o csv' prints (its header
row is skipped); UTF-8 or UTF-16 (what Windows PowerShell 5.1 writes), '-'
for stdin, blank lines and # comments skipped. Every id is checked before
anything is sent: a bad or repeated one stops the command (exit 2) naming
file:line.

When the wait ends before the assignment is final (--timeout, Ctrl-C, a
failed status read), stdout still gets, in the -o format, the last status
read (as the status command prints it; its batchTrackingId is the tracking
id), or what assign-profile prints without --wait when no status was read;
stderr names the status command to look later, and the exit code is 1 (130
or 143 for Ctrl-C or SIGTERM).`,
		Example: `  devicebatches assign-profile --customer 47021739-3426-40bf-9601-61b4b6d7c793 --profile 019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e --device 7c141ea9-2816-4e15-a819-53f6856499ff --wait
  devicebatches devices --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Test batch" -o csv > devices.csv
  devicebatches assign-profile --customer 47021739-3426-40bf-9601-61b4b6d7c793 --profile 019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e --devices-file devices.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.waitDefaults(cmd, f.waitFlags)
			return a.runAssignProfile(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.profile, "profile", "", "profile id, as listed by 'devicebatches profiles'")
	cmd.Flags().StringArrayVar(&f.devices, "device", nil, "device id, as listed by 'devicebatches devices' (repeat for more)")
	cmd.Flags().StringVar(&f.devicesFile, "devices-file", "", "file of device ids: "+idFileHelp)
	f.waitFlags.add(cmd, "assignment")
	return cmd
}

func (a *app) runAssignProfile(ctx context.Context, f assignFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if strings.TrimSpace(f.profile) == "" {
		return usagef("--profile is required: the profile id, as listed by 'devicebatches profiles'")
	}
	if p := idProblem(f.profile); p != "" {
		return usagef("--profile %s is not a profile id: %s", idfile.QuoteShort(f.profile), p)
	}
	if err := checkFormat(f.output, "table", "json", "jsonl"); err != nil {
		return err
	}
	ids := f.devices
	switch {
	case len(ids) > 0 && f.devicesFile != "":
		return usagef("--device and --devices-file cannot be used together")
	case f.devicesFile != "":
		var err error
		if ids, err = a.readIDFile("--devices-file", f.devicesFile, deviceIDs); err != nil {
			return err
		}
	case len(ids) == 0:
		return usagef("--device or --devices-file is required: the ids of the devices to assign the profile to")
	default:
		for i := range ids {
			ids[i] = strings.TrimSpace(ids[i])
			if p := deviceIDs.check(ids[i]); p != "" {
				return usagef("--device %s %s", idfile.QuoteShort(ids[i]), p)
			}
		}
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		tid, err := client.AssignProfile(ctx, f.customer, f.profile, ids)
		if err != nil {
			return acceptedHint(err, f.customer, "")
		}
		if !f.wait {
			return a.writeAccepted(f.output, tid, map[string]string{"profileId": f.profile})
		}
		fmt.Fprintf(a.io.err, "devicebatches: tracking id %s\n", safetext.Cell(tid))
		return a.waitAndReportAccepted(ctx, client, f.customer, tid, f.output, outcomeByDevice, map[string]string{"profileId": f.profile}, assignmentSent(ids))
	})
}

type deleteFlags struct {
	customer string
	batch    string
	device   string
	yes      bool
	output   string
}

func (a *app) deleteDeviceCommand() *cobra.Command {
	var f deleteFlags
	cmd := &cobra.Command{
		Use:   "delete-device --customer ID --batch NAME --device ID [--yes]",
		Short: "Remove a device from a batch (DELETE /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id})",
		Long: `delete-device removes a device from a batch, deregistering it from zero-touch
deployment. It asks for confirmation on a terminal unless --yes is given,
once its credential has given a token (any answer but y or yes deletes
nothing and exits 1), and refuses to run
without --yes when standard input is not a terminal (exit 2). On success it prints one line for -o table and nothing for json
or jsonl (the service answers 204 with no body).`,
		Example: `  devicebatches delete-device --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Test batch" --device 7c141ea9-2816-4e15-a819-53f6856499ff --yes`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDeleteDevice(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.batch, "batch", "", "batch id, as listed by 'devicebatches list'")
	cmd.Flags().StringVar(&f.device, "device", "", "device id, as listed by 'devicebatches devices'")
	cmd.Flags().BoolVar(&f.yes, "yes", false, "delete without asking")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json or jsonl")
	return cmd
}

func (a *app) runDeleteDevice(ctx context.Context, f deleteFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if f.batch == "" {
		return usagef("--batch is required: the batch id as listed by 'devicebatches list'")
	}
	if err := wrapper.CheckBatchID(f.batch); err != nil {
		return err
	}
	if strings.TrimSpace(f.device) == "" {
		return usagef("--device is required: the device id as listed by 'devicebatches devices'")
	}
	if p := deviceIDs.check(f.device); p != "" {
		return usagef("--device %s %s", idfile.QuoteShort(f.device), p)
	}
	if err := checkFormat(f.output, "table", "json", "jsonl"); err != nil {
		return err
	}
	if !f.yes && !a.isTerminal(a.io.in) {
		return usagef("refusing to delete device %s without --yes: standard input is not a terminal to ask on", f.device)
	}
	var ask func() error
	if !f.yes {
		ask = func() error {
			fmt.Fprintf(a.io.err, "Delete device %s from batch %q of customer %s? [y/N] ", f.device, f.batch, f.customer)
			line, _ := bufio.NewReader(a.io.in).ReadString('\n')
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "y", "yes":
				return nil
			}
			return fmt.Errorf("device %s not deleted: not confirmed", f.device)
		}
	}
	// Credentials and flags are checked before the question (withServiceAsking).
	return a.withServiceAsking(ctx, ask, func(ctx context.Context, client *wrapper.Client) error {
		if err := client.DeleteDevice(ctx, f.customer, f.batch, f.device); err != nil {
			return err
		}
		if f.output == "table" {
			_, err := fmt.Fprintf(a.io.out, "deleted device %s from batch %q\n", f.device, f.batch)
			return err
		}
		return nil
	})
}
