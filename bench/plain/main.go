// Command plain is the whole-process benchmark's baseline (see
// bench/README.md): what a developer writes for the same job without this
// project, with net/http, encoding/json and a buffered writer. It lists a
// customer's batches (-what batches), a batch's devices over every page
// (-what devices) or the partner's customers over every page (-what
// customers, 500 a page, following links.next) and prints them as -o json
// (an indented array), table or jsonl, sending the same headers as the CLI.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/google/uuid"
)

type link struct {
	URI     string `json:"uri"`
	Method  string `json:"method,omitempty"`
	Headers []struct {
		Key   string  `json:"key"`
		Value *string `json:"value"`
	} `json:"headers"`
}

type attributes struct {
	ObjectType string `json:"objectType,omitempty"`
}

type batch struct {
	ID           string     `json:"id"`
	Status       string     `json:"status,omitempty"`
	CreatedBy    string     `json:"createdBy,omitempty"`
	CreationDate string     `json:"creationDate,omitempty"`
	DevicesCount int        `json:"devicesCount"`
	DevicesLink  *link      `json:"devicesLink,omitempty"`
	Attributes   attributes `json:"attributes"`
}

type device struct {
	ID                  string `json:"id"`
	SerialNumber        string `json:"serialNumber,omitempty"`
	ProductKey          string `json:"productKey"`
	HardwareHash        string `json:"hardwareHash,omitempty"`
	ModelName           string `json:"modelName,omitempty"`
	OemManufacturerName string `json:"oemManufacturerName,omitempty"`
	Policies            []struct {
		Key   string  `json:"key"`
		Value *string `json:"value"`
	} `json:"policies"`
	UploadedBy        string     `json:"uploadedBy,omitempty"`
	UploadedDate      string     `json:"uploadedDate,omitempty"`
	AllowedOperations []string   `json:"allowedOperations"`
	Attributes        attributes `json:"attributes"`
}

type customerItem struct {
	ID             string `json:"id"`
	CompanyProfile struct {
		TenantID    string     `json:"tenantId,omitempty"`
		Domain      string     `json:"domain,omitempty"`
		CompanyName string     `json:"companyName,omitempty"`
		Attributes  attributes `json:"attributes"`
	} `json:"companyProfile"`
	RelationshipToPartner string `json:"relationshipToPartner,omitempty"`
	AllowDelegatedAccess  bool   `json:"allowDelegatedAccess,omitempty"`
	Links                 struct {
		Self *link `json:"self,omitempty"`
	} `json:"links"`
	Attributes attributes `json:"attributes"`
}

type collection[T any] struct {
	Items             []T    `json:"items"`
	ContinuationToken string `json:"continuationToken"`
	Links             struct {
		Next *link `json:"next"`
	} `json:"links"`
}

func main() {
	what := flag.String("what", "batches", "batches, devices or customers")
	format := flag.String("o", "table", "json, table or jsonl")
	customer := flag.String("customer", "", "customer id")
	batchID := flag.String("batch", "", "batch id (devices)")
	flag.Parse()
	root := os.Getenv("PARTNER_CENTER_BASE_URL")
	base := root + "/v1/"
	token := os.Getenv("PARTNER_CENTER_TOKEN")
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	defer out.Flush()

	var err error
	switch *what {
	case "batches":
		var items []batch
		items, err = list[batch](base+"customers/"+*customer+"/deviceBatches", token, "")
		if err == nil {
			err = write(out, *format, items, "ID\tSTATUS\tCREATED\tDEVICES", func(b batch) string {
				return b.ID + "\t" + b.Status + "\t" + b.CreationDate + "\t" + strconv.Itoa(b.DevicesCount)
			})
		}
	case "devices":
		var items []device
		items, err = list[device](base+"customers/"+*customer+"/deviceBatches/"+url.PathEscape(*batchID)+"/devices", token, "")
		if err == nil {
			err = write(out, *format, items, "ID\tSERIAL\tMODEL\tMANUFACTURER\tUPLOADED", func(d device) string {
				return d.ID + "\t" + d.SerialNumber + "\t" + d.ModelName + "\t" + d.OemManufacturerName + "\t" + d.UploadedDate
			})
		}
	case "customers":
		var items []customerItem
		items, err = list[customerItem](base+"customers?size=500", token, root)
		if err == nil {
			err = write(out, *format, items, "ID\tCOMPANY\tDOMAIN\tRELATIONSHIP", func(c customerItem) string {
				return c.ID + "\t" + c.CompanyProfile.CompanyName + "\t" + c.CompanyProfile.Domain + "\t" + c.RelationshipToPartner
			})
		}
	default:
		err = fmt.Errorf("-what %q: not batches, devices or customers", *what)
	}
	if err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, "plain:", err)
		os.Exit(1)
	}
}

// list reads every page. With linkRoot empty it asks the same URL again
// with the body's continuationToken; otherwise it follows links.next, whose
// uri (carrying /v1, as GET /v1/customers sends it) is joined to linkRoot,
// sending the headers the link names.
func list[T any](u, token, linkRoot string) ([]T, error) {
	var all []T
	next := ""
	for {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("MS-RequestId", uuid.NewString())
		req.Header.Set("MS-CorrelationId", uuid.NewString())
		req.Header.Set("X-Locale", "en-US")
		if next != "" {
			req.Header.Set("MS-ContinuationToken", next)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		var page collection[T]
		err = json.NewDecoder(resp.Body).Decode(&page)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if linkRoot != "" {
			n := page.Links.Next
			if n == nil {
				return all, nil
			}
			u, next = linkRoot+n.URI, ""
			for _, h := range n.Headers {
				if h.Key == "MS-ContinuationToken" && h.Value != nil {
					next = *h.Value
				}
			}
			if next == "" {
				return nil, fmt.Errorf("links.next without an MS-ContinuationToken")
			}
			continue
		}
		if page.ContinuationToken == "" {
			return all, nil
		}
		next = page.ContinuationToken
	}
}

func write[T any](w *bufio.Writer, format string, items []T, header string, row func(T) string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, it := range items {
			if err := enc.Encode(it); err != nil {
				return err
			}
		}
		return nil
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, header)
		for _, it := range items {
			fmt.Fprintln(tw, row(it))
		}
		return tw.Flush()
	}
}
