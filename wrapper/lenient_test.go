package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestListDeviceBatchesEmptyCreationDate: a batch whose creationDate is ""
// (the service saying "no date") reads as a zero date; the other batches are
// still listed, and -o json prints "" as sent.
func TestListDeviceBatchesEmptyCreationDate(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":3,"items":[` +
		`{"id":"a","creationDate":"2017-07-25T01:51:00","devicesCount":1},` +
		`{"id":"b","creationDate":"","devicesCount":2},` +
		`{"id":"c","creationDate":"2017-07-26T01:51:00","devicesCount":3}],"attributes":{"objectType":"Collection"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
	defer srv.Close()
	c, tr := newTestClient(t, srv, nil)
	got, err := c.ListDeviceBatches(context.Background(), testCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Id != "b" || !got[1].CreationDate.IsZero() || got[0].CreationDate.Raw != "2017-07-25T01:51:00" {
		t.Fatalf("batches %+v", got)
	}
	var raws []string
	for raw, err := range c.ListDeviceBatchesJSON(context.Background(), testCustomer) {
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, string(raw))
	}
	if len(raws) != 3 || raws[1] != `{"id":"b","creationDate":"","devicesCount":2}` {
		t.Errorf("JSON %q", raws)
	}
	if errs := tr.Errors(); len(errs) > 0 {
		t.Errorf("the document refuses what the client accepts: %v", errs)
	}
}
