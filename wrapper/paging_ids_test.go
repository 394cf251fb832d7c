package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPagingErrorNamesTheBrokenPage: a *PagingError names the MS-RequestId
// and MS-CorrelationId of the page that broke paging (the last page read),
// in its fields and its message, as Microsoft support asks for them: the
// answer's, or the ones sent when the answer lacked them.
func TestPagingErrorNamesTheBrokenPage(t *testing.T) {
	t.Parallel()
	const corr = "5a0e8c55-3b86-4a8f-bb0e-2d2f6f2c1b10"
	for _, tc := range []struct {
		name  string
		limit Limits
		page  func(n int) string // the body of page n (0-based)
		// answerIDs: the server sends its own ids (srv-req-N); else the
		// request's are expected.
		answerIDs bool
		wantPage  int // whose ids are named
	}{
		{"repeated token", Limits{}, func(int) string { return batchPage([]string{"a"}, `,"continuationToken":"same"`) }, true, 1},
		{"repeated token, ids as sent", Limits{}, func(int) string { return batchPage([]string{"a"}, `,"continuationToken":"same"`) }, false, 1},
		{"link to another host", Limits{}, func(int) string {
			return batchPage([]string{"a"}, nextLink("https://elsewhere.example/v1/customers", ""))
		}, true, 0},
		{"more pages than MaxPages", Limits{MaxPages: 3}, func(n int) string {
			return batchPage([]string{"a"}, fmt.Sprintf(`,"continuationToken":"t%d"`, n))
		}, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, n int) {
				if tc.answerIDs {
					w.Header().Set("MS-RequestId", fmt.Sprintf("srv-req-%d", n))
					w.Header().Set("MS-CorrelationId", fmt.Sprintf("srv-corr-%d", n))
				}
				writeBody(w, 200, tc.page(n))
			})
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, CorrelationID: corr, Limits: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListDeviceBatches(context.Background(), testCustomer)
			var pe *PagingError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %T %v, want a *PagingError", err, err)
			}
			wantReq, wantCorr := fmt.Sprintf("srv-req-%d", tc.wantPage), fmt.Sprintf("srv-corr-%d", tc.wantPage)
			if !tc.answerIDs {
				wantReq, wantCorr = rec.requestIDs()[tc.wantPage], corr
			}
			if pe.RequestID != wantReq || pe.CorrelationID != wantCorr {
				t.Errorf("ids %q, %q; want %q, %q", pe.RequestID, pe.CorrelationID, wantReq, wantCorr)
			}
			if msg := err.Error(); !strings.Contains(msg, "MS-RequestId: "+wantReq) || !strings.Contains(msg, "MS-CorrelationId: "+wantCorr) {
				t.Errorf("message %q does not name the ids", msg)
			}
		})
	}
}
